"""The team calendar page. Its events come from ``POST /api/v1/events/search/`` (session + CSRF
header), called by ``static/js/calendar.js``; this view only offers the team filter."""

from csp.decorators import csp_update
from django.shortcuts import render

from config.web import page
from people.models import Team

# FullCalendar 6 ships its CSS inside its script: it adds an empty <style> element and fills it
# through the CSSOM (insertRule, which the CSP does not govern). Only that empty element needs
# allowing: this is the hash of the empty string, on this page only. Its arrow icons are a font
# embedded as a data: URI in that CSS.
EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


@csp_update({"style-src": [EMPTY_STYLE_HASH], "font-src": ["data:"]})
@page
def calendar_page(request):
    """FullCalendar month/week view; the team filter narrows the search to that team's members."""
    teams = Team.objects.filter(members=request.user).prefetch_related("members").order_by("name")
    choices = [{"team": t, "member_ids": ",".join(str(m.pk) for m in t.members.all())} for t in teams]
    return render(request, "calendars/calendar.html", {"team_choices": choices})
