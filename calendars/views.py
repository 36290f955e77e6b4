"""The team calendar page. Its events come from ``POST /api/v1/events/search/`` (session + CSRF
header), called by ``static/js/calendar.js``; this view only offers the team filter."""

from django.shortcuts import render

from config.web import page
from people.models import Team


@page
def calendar_page(request):
    """FullCalendar month/week view; the team filter narrows the search to that team's members."""
    teams = Team.objects.filter(members=request.user).prefetch_related("members").order_by("name")
    choices = [{"team": t, "member_ids": ",".join(str(m.pk) for m in t.members.all())} for t in teams]
    return render(request, "calendars/calendar.html", {"team_choices": choices})
