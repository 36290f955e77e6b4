"""Browser pages of coverage: the home page (am I away, who covers whom, who is out) and a team's
per-day staffing chart. Reads only, through the coverage and absences selectors."""

import datetime as dt

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from absences.models import Absence
from absences.recurrence import occurrences
from absences.selectors import overlapping_exactly
from absences.staffing import local_day_bounds, team_staffing
from config.web import AccessibleForm, page
from coverage.selectors import user_availability
from coverage.visibility import staffing_teams_visible_to
from people.models import User
from people.querysets import managed_user_ids
from rules.models import Rule

MAX_STAFFING_DAYS = 92
DEFAULT_STAFFING_DAYS = 28


def _covered_by(availability):
    """Who takes my work now: a reassign rule's coverer first (it wins in resolution), else the absence's."""
    rule = availability.rule_for()
    if rule is not None and rule.action == Rule.Action.REASSIGN and rule.coverer is not None:
        return rule.coverer
    return availability.absence_coverer()


def _whom_i_cover(me, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """People whose away absence or one-time reassign rule names me as coverer during ``[start, end)``."""
    absences = overlapping_exactly(Absence.objects.away().filter(coverer=me), start, end).select_related("user", "type")
    rows = {a.user_id: {"user": a.user, "until": a.end_at if not a.recurrence else None} for a in absences}
    rules = Rule.objects.filter(
        coverer=me, enabled=True, kind=Rule.Kind.ONE_TIME, start_at__lt=end, end_at__gt=start
    ).select_related("user")
    for rule in rules:
        rows.setdefault(rule.user_id, {"user": rule.user, "until": rule.end_at})
    return sorted(rows.values(), key=lambda row: row["user"].display_name.casefold())


def _teammates_out(me, week_start: dt.datetime, week_end: dt.datetime, today: tuple) -> tuple[list, list]:
    """Members of my teams (not me) away during this week, split into today and the rest of the week.
    A private type shows as "Away" unless I manage that person (SPEC §4)."""
    mates = User.objects.filter(teams__members=me).exclude(pk=me.pk).distinct().values("pk")
    managed = set(managed_user_ids(me).values_list("pk", flat=True))
    absences = overlapping_exactly(Absence.objects.away().filter(user_id__in=mates), week_start, week_end)
    out_today, out_week = [], []
    for absence in absences.select_related("user", "type").order_by("start_at"):
        hidden = absence.type.private and absence.user_id not in managed
        for start, end in occurrences(absence, week_start, week_end):
            row = {
                "user": absence.user,
                "what": "Away" if hidden else (absence.title or absence.type.name),
                "color": "#9ca3af" if hidden else absence.type.color,
                "start": start,
                "end": end,
                "last": end - dt.timedelta(seconds=1),  # an all-day absence's last day (end is exclusive)
                "all_day": absence.all_day,
            }
            (out_today if start < today[1] and end > today[0] else out_week).append(row)
    return out_today, out_week


def _shown(span) -> Absence | None:
    """The absence of a look-ahead span with what the page shows of it (type, coverer): the
    selector reads look-ahead absences as light rows."""
    if span is None or span.absence is None:
        return None
    return Absence.objects.select_related("type", "coverer").filter(pk=span.absence.pk).first()


@page
def home(request):
    me, now = request.user, timezone.now()
    zone = me.timezone
    local_today = now.astimezone(zone).date()
    today = local_day_bounds(local_today, zone)
    monday = local_today - dt.timedelta(days=local_today.weekday())
    week = (local_day_bounds(monday, zone)[0], local_day_bounds(monday + dt.timedelta(days=6), zone)[1])
    availability = user_availability(me, now)
    out_today, out_week = _teammates_out(me, *week, today)
    context = {
        "availability": availability,
        "covered_by": None if availability.available else _covered_by(availability),
        "i_cover": _whom_i_cover(me, *today),
        "out_today": out_today,
        "out_week": out_week,
        "next_span": availability.next_span,
        "next_absence": _shown(availability.next_span),
        "next_last": availability.next_span.end - dt.timedelta(seconds=1) if availability.next_span else None,
        "teams": me.teams.all(),
    }
    return render(request, "home.html", context)


class StaffingRangeForm(AccessibleForm):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "End must be on or after start.")
        elif start and end and (end - start).days + 1 > MAX_STAFFING_DAYS:
            self.add_error("end", f"At most {MAX_STAFFING_DAYS} days (end is inclusive).")
        return data


def _default_range(user) -> dict:
    today = timezone.now().astimezone(user.timezone).date()
    start = today - dt.timedelta(days=today.weekday())
    return {"start": start, "end": start + dt.timedelta(days=DEFAULT_STAFFING_DAYS - 1)}


@page
def staffing_start(request):
    """The nav's Staffing link and the team chooser: go to the chosen (else first) team's chart."""
    teams = staffing_teams_visible_to(request.user, admin=False).order_by("name")
    chosen = request.GET.get("team", "")
    team = teams.filter(pk=int(chosen)).first() if chosen.isascii() and chosen.isdigit() else teams.first()
    if team is None:
        if chosen:
            raise Http404
        return render(request, "coverage/no_team.html")
    query = request.GET.copy()
    query.pop("team", None)
    url = reverse("staffing", args=[team.pk])
    return redirect(f"{url}?{query.urlencode()}" if query else url)


@page
def staffing(request, pk: int):
    """A team's per-day staffing over a chosen range, days below its minimum marked."""
    teams = staffing_teams_visible_to(request.user, admin=False).order_by("name")
    team = get_object_or_404(teams.prefetch_related("members"), pk=pk)
    form = StaffingRangeForm(request.GET if "start" in request.GET else _default_range(request.user))
    days = team_staffing(team, form.cleaned_data["start"], form.cleaned_data["end"]) if form.is_valid() else []
    peak = max([team.members.count(), *(d.scheduled for d in days)], default=1) or 1
    rows = [{"day": d, "percent": round(100 * d.available / peak)} for d in days]
    context = {"team": team, "teams": teams, "form": form, "rows": rows, "below": sum(d.below_minimum for d in days)}
    return render(request, "coverage/staffing.html", context, status=400 if form.errors else 200)
