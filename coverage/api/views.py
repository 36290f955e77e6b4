"""Coverage endpoints: availability, current coverage, resolve, team staffing. Thin: they parse,
call a selector or ``coverage_resolve``, and serialize."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from absences.staffing import team_staffing
from config.api.access import acts_as_admin
from config.api.errors import validation_error
from config.api.fields import resolve_user_ref
from config.api.pagination import CountingPagination
from config.api.sorting import SortFilter
from config.api.viewsets import APIViewMixin
from config.api.writers import plain_data
from coverage.api import serializers as s
from coverage.coverers import cover_for
from coverage.messages import compose_message
from coverage.precedence import ANY
from coverage.selectors import ROW_PERSON_FIELDS, Availability, away_users, user_availability, users_availability
from coverage.services import coverage_resolve
from coverage.visibility import absence_message, absence_summary, detail_visible_ids, staffing_teams_visible_to
from people.api.views import USER_PATH_PARAM
from people.models import Team, User

MAX_STAFFING_DAYS = 92


def _query(serializer_class, request, *, subject=None) -> dict:
    """Validated query parameters (400 naming the parameter); naive datetimes in ``subject``'s zone."""
    serializer = serializer_class(data=request.query_params, context={"request": request, "subject": subject})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def coverage_row(availability: Availability, *, reveal: bool, project=ANY) -> dict:
    """Who covers an away user without a work item (or for one project): resolve's precedence with
    the item's unknown fields unchecked, the direct coverer (chains are not followed here)."""
    cover = cover_for(availability, project=project)
    rule_message = cover.rule.message if cover.rule is not None else ""
    message = compose_message(
        absence_message(availability.span, reveal=reveal),
        rule_message,
        user=availability.user,
        coverer=cover.coverer,
        until=availability.back_at,
    )
    return {
        "user": availability.user,
        "absence": absence_summary(availability.span, reveal=reveal),
        "rule": cover.rule,
        "coverer": cover.coverer,
        "projects": list(cover.rule.projects) if cover.rule else [],
        "issue_types": list(cover.rule.issue_types) if cover.rule else [],
        "start_at": availability.away_since,
        "end_at": availability.back_at,
        "message": message,
    }


class AvailabilityView(APIViewMixin, GenericAPIView):
    """Is this person available at ``at``? Anyone signed in may ask about any active user;
    private absence details are shown only to the user, their team leads and admins."""

    serializer_class = s.AvailabilitySerializer

    @extend_schema(parameters=[USER_PATH_PARAM, s.AtQuerySerializer], responses=s.AvailabilitySerializer)
    def get(self, request, user: str):
        target = resolve_user_ref(user, request=request)
        if target is None:
            raise NotFound()
        at = _query(s.AtQuerySerializer, request, subject=target).get("at") or timezone.now()
        availability = user_availability(target, at)
        reveal = target.pk in detail_visible_ids(request.user, [target.pk], admin=acts_as_admin(request))
        row = coverage_row(availability, reveal=reveal) if not availability.available else {}
        data = {
            "user": target,
            "at": at,
            "available": availability.available,
            "absence": row.get("absence"),
            "back_at": availability.back_at,
            "coverer": row.get("coverer"),
            "message": row.get("message", ""),
            "next_absence": absence_summary(availability.next_span, reveal=reveal),
        }
        return Response(self.serialized(data))


class CurrentCoverageView(APIViewMixin, GenericAPIView):
    """Everyone away at ``at`` (default now) and who covers them, one row per person, sorted by
    ``?sort=`` (``user`` = username, ``user_id``; default ``user``). Visible to anyone signed in;
    private details as for availability."""

    serializer_class = s.CurrentCoverageSerializer
    queryset = User.objects.none()
    filter_backends = [SortFilter]
    pagination_class = CountingPagination
    sort_fields = {"user": "username", "user_id": "id"}
    default_sort = ("username",)  # model paths, as SortFilter applies them

    @extend_schema(parameters=[s.CurrentQuerySerializer], responses=s.CurrentCoverageSerializer(many=True))
    def get(self, request):
        params = _query(s.CurrentQuerySerializer, request)
        at = params.get("at") or timezone.now()
        users = User.objects.active().only(*ROW_PERSON_FIELDS)
        if "team" in params:
            team = Team.objects.filter(pk=params["team"]).first()
            if team is None:
                raise validation_error(f"No team {params['team']}.", attr="team", code="does_not_exist")
            users = users.filter(teams=team)
        page = self.paginate_queryset(self.filter_queryset(away_users(at, users)))
        states = users_availability(page, at)
        visible = detail_visible_ids(request.user, [u.pk for u in page], admin=acts_as_admin(request))
        project = params.get("project") or ANY
        rows = [coverage_row(states[u.pk], reveal=u.pk in visible, project=project) for u in page]
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


class ResolveView(APIViewMixin, GenericAPIView):
    """The integrator's question for one work item (SPEC §6): who takes it, and what to reply."""

    serializer_class = s.ResolveSerializer

    @extend_schema(request=s.ResolveSerializer, responses=s.ResolveResponseSerializer)
    def post(self, request):
        serializer = s.ResolveSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        resolution = coverage_resolve(
            assignee=data["assignee"],
            event=data["event"],
            project=data.get("project") or None,
            issue_type=data.get("issue_type") or None,
            at=data.get("at"),
            actor=data.get("actor"),
            issue=data.get("issue") or {},
            caller=request.user,
            admin=acts_as_admin(request),
        )
        return Response(plain_data(s.ResolveResponseSerializer, resolution))


class TeamStaffingView(APIViewMixin, GenericAPIView):
    """Per-day staffing of a team over ``start``..``end`` (inclusive, at most 92 days). Members and
    leads of the team may read it, admins any team; others get a 404."""

    serializer_class = s.StaffingDaySerializer
    queryset = Team.objects.none()
    pagination_class = None  # at most 92 rows: one plain list

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH), s.StaffingQuerySerializer],
        responses=s.StaffingDaySerializer(many=True),
    )
    def get(self, request, pk: int):
        teams = staffing_teams_visible_to(request.user, admin=acts_as_admin(request))
        team = get_object_or_404(teams.prefetch_related("members"), pk=pk)
        params = _query(s.StaffingQuerySerializer, request)
        start, end = params["start"], params["end"]
        # Rules between the two fields (OpenAPI cannot express them), with codes of their own.
        if end < start:
            raise validation_error("End must be on or after start.", attr="end", code="end_before_start")
        if (end - start).days + 1 > MAX_STAFFING_DAYS:
            raise validation_error(
                f"At most {MAX_STAFFING_DAYS} days (end is inclusive).", attr="end", code="max_window"
            )
        days = team_staffing(team, start, end)
        return Response(self.get_serializer(days, many=True).data)
