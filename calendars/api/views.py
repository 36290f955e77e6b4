import hashlib
import hmac

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from calendars import selectors, services
from calendars.api.serializers import (
    CalendarSerializer,
    EventSearchSerializer,
    EventSerializer,
    FeedKeySerializer,
    SearchResultSerializer,
    feed_url,
    render_search_events,
)
from calendars.feeds import build_feed
from calendars.filters import CalendarFilter, EventFilter
from calendars.models import Calendar, Event, PersonalFeed
from calendars.privacy import ANONYMOUS, viewer_for
from config.api.access import acts_as_admin, token_calendar_ids
from config.api.params import single_param
from config.api.viewsets import ModelViewSet


def scope_of(request) -> selectors.SearchScope:
    admin = acts_as_admin(request)
    return selectors.SearchScope(
        user=request.user,
        admin=admin,
        viewer=viewer_for(request.user, admin=admin),
        token_calendar_ids=token_calendar_ids(request),
    )


def readable_calendars(request):
    """Calendars this request may read (visibility, then a calendar-limited token's list)."""
    return selectors.readable_calendars(
        request.user, admin=acts_as_admin(request), token_calendar_ids=token_calendar_ids(request)
    )


class CalendarWritePermission(permissions.BasePermission):
    """Members read; the owner and admins change. Calendar-limited tokens cannot create calendars
    (they could never see them)."""

    def has_permission(self, request, view):
        return request.method != "POST" or view.action != "create" or token_calendar_ids(request) is None

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return obj.owner_id == request.user.pk or acts_as_admin(request)


class CalendarViewSet(ModelViewSet):
    """Calendars: members' absences (of the listed types), native events and an ICS feed."""

    serializer_class = CalendarSerializer
    filterset_class = CalendarFilter
    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, CalendarWritePermission]
    sort_fields = ["id", "name", "created_at", "updated_at"]
    default_sort = ("name",)

    def get_queryset(self):
        return (
            readable_calendars(self.request)
            .select_related("owner")
            .prefetch_related("members", "teams", "absence_types")
        )

    def _flags(self) -> dict:
        return {"actor": self.request.user, "admin": acts_as_admin(self.request)}

    def perform_create(self, serializer):
        serializer.instance = services.calendar_create(**self._flags(), **serializer.validated_data)
        self._etag_instance = serializer.instance

    def perform_update(self, serializer):
        serializer.instance = services.calendar_update(
            calendar=serializer.instance, **self._flags(), **serializer.validated_data
        )
        self._etag_instance = serializer.instance

    @extend_schema(request=None, responses=FeedKeySerializer)
    @action(detail=True, methods=["post"], url_path="rotate-feed-key")
    def rotate_feed_key(self, request, pk=None):
        """A new feed key: the old feed URL answers 404 at once. Owner and admins."""
        calendar = services.calendar_rotate_feed_key(calendar=self.get_object())
        return Response({"feed_key": calendar.feed_key, "feed_url": feed_url(request, calendar)})


class EventWritePermission(permissions.BasePermission):
    """Anyone who reads the calendar reads its events; its owner, members and admins write them."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return services.calendar_may_post(calendar=view.calendar, user=request.user, admin=acts_as_admin(request))


CALENDAR_PATH = OpenApiParameter("calendar_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="Calendar id")


@extend_schema(parameters=[CALENDAR_PATH])
class EventViewSet(ModelViewSet):
    """Native events of one calendar (meetings, releases, …): timed or all-day."""

    serializer_class = EventSerializer
    filterset_class = EventFilter
    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, EventWritePermission]
    sort_fields = ["id", "start_at", "end_at", "created_at", "updated_at"]
    default_sort = ("start_at",)

    def check_permissions(self, request):
        # The calendar first: one the caller may not read is a 404, never a 403.
        if request.user.is_authenticated:
            self.calendar = get_object_or_404(readable_calendars(request), pk=self.kwargs["calendar_pk"])
        super().check_permissions(request)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return Event.objects.filter(calendar=self.calendar).prefetch_related("attendees")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.event_create(calendar=self.calendar, **data)
        self._etag_instance = serializer.instance

    def perform_update(self, serializer):
        serializer.instance = services.event_update(event=serializer.instance, **serializer.validated_data)
        self._etag_instance = serializer.instance


class EventSearchView(APIView):
    """Absences, native events and public holidays in a window of at most 92 days."""

    @extend_schema(request=EventSearchSerializer, responses={200: SearchResultSerializer})
    def post(self, request):
        serializer = EventSearchSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        query = selectors.SearchQuery(
            start=data["start"],
            end=data["end"],
            # An empty list is the same as leaving the filter out.
            calendar_ids=data.get("calendars") or None,
            users=data.get("users") or None,
            types=data.get("types") or None,
            include_holidays=data["include_holidays"],
        )
        try:
            events = selectors.event_search(scope=scope_of(request), query=query)
        except selectors.CalendarNotFound:
            raise exceptions.NotFound("A requested calendar does not exist or is not visible to you.") from None
        return Response({"events": render_search_events(events)})


class ICSRenderer(BaseRenderer):
    """Lets clients that ask for ``text/calendar`` through; feed bodies are built by ``icalendar``
    and errors fall back to their JSON text."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data)


def ics_response(request, body: bytes, filename: str) -> HttpResponse:
    """The feed, or a 304 when the client's ``If-None-Match`` already names this content (calendar
    apps poll feeds; an unchanged one then costs no transfer)."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if etag in [tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


FEED_PARAMS = [
    OpenApiParameter(
        "key", OpenApiTypes.STR, description="The feed key (then no other credentials are needed); a wrong key is a 404"
    ),
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        description="The feed's ETag from an earlier fetch: 304 while unchanged",
    ),
    OpenApiParameter("format", exclude=True),  # the path already says .ics
]
ICS_RESPONSE = {
    (200, "text/calendar"): OpenApiResponse(OpenApiTypes.BINARY, description="An RFC 5545 calendar"),
    304: OpenApiResponse(description="Unchanged since the ETag sent in If-None-Match"),
}


def check_default_permissions(view, request) -> None:
    """Without a feed key a feed is an ordinary API read: the project's default permissions apply
    (signed in; a token needs its ``read`` scope)."""
    for permission_class in api_settings.DEFAULT_PERMISSION_CLASSES:
        permission = permission_class()  # its message may name the missing scope after the check
        if not permission.has_permission(request, view):
            view.permission_denied(request, message=getattr(permission, "message", None))


def key_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


class CalendarFeedView(APIView):
    """A calendar's ICS feed: by its ``key``, or with the caller's own credentials and no key."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer, ICSRenderer]

    @extend_schema(operation_id="v1_calendars_feed_retrieve", parameters=FEED_PARAMS, responses=ICS_RESPONSE)
    def get(self, request, pk: int):
        key = single_param(request.query_params, "key")
        if key is not None:
            calendar = Calendar.objects.filter(pk=pk).first()
            if calendar is None or not key_matches(calendar.feed_key, key):
                raise exceptions.NotFound()
            viewer = ANONYMOUS
        else:
            check_default_permissions(self, request)
            calendar = get_object_or_404(readable_calendars(request), pk=pk)
            viewer = viewer_for(request.user, admin=acts_as_admin(request))
        body = build_feed(
            name=calendar.name,
            absences=selectors.calendar_feed_absences(calendar),
            events=selectors.calendar_feed_events(calendar),
            viewer=viewer,
        )
        return ics_response(request, body, f"calendar-{calendar.pk}.ics")


def personal_feed_allowed(request) -> None:
    """Calendar-limited tokens reach only their calendars, not personal feeds."""
    if token_calendar_ids(request) is not None:
        raise exceptions.NotFound()


class PersonalFeedView(APIView):
    """The personal ICS feed: the user's own absences and those they cover."""

    permission_classes = [permissions.AllowAny]
    renderer_classes = [JSONRenderer, ICSRenderer]

    @extend_schema(operation_id="v1_me_feed_ics_retrieve", parameters=FEED_PARAMS, responses=ICS_RESPONSE)
    def get(self, request):
        key = single_param(request.query_params, "key")
        if key is not None:
            if "\x00" in key:  # no key holds NUL, and PostgreSQL refuses it in a query
                raise exceptions.NotFound()
            feed = PersonalFeed.objects.select_related("user").filter(feed_key=key, user__is_active=True).first()
            if feed is None or not key_matches(feed.feed_key, key):
                raise exceptions.NotFound()
            user = feed.user
        else:
            check_default_permissions(self, request)
            personal_feed_allowed(request)
            user = request.user
        # The feed is its owner's own view: their private details, others' as privacy allows them.
        body = build_feed(
            name=f"Standin: {user.username}",
            absences=selectors.personal_feed_absences(user),
            viewer=viewer_for(user, admin=False),
        )
        return ics_response(request, body, "standin-me.ics")


def personal_feed_url(request, feed: PersonalFeed) -> str:
    return request.build_absolute_uri(reverse("personal-feed")) + f"?key={feed.feed_key}"


class PersonalFeedKeyView(APIView):
    """Read the caller's personal feed key and URL (created on first use)."""

    @extend_schema(responses=FeedKeySerializer)
    def get(self, request):
        personal_feed_allowed(request)
        feed = services.personal_feed_of(request.user)
        return Response({"feed_key": feed.feed_key, "feed_url": personal_feed_url(request, feed)})


class PersonalFeedRotateView(APIView):
    """A new personal feed key: the old URL answers 404 at once."""

    @extend_schema(request=None, responses=FeedKeySerializer)
    def post(self, request):
        personal_feed_allowed(request)
        feed = services.personal_feed_rotate(user=request.user)
        return Response({"feed_key": feed.feed_key, "feed_url": personal_feed_url(request, feed)})
