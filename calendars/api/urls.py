from django.urls import path
from rest_framework.routers import SimpleRouter

from calendars.api.views import (
    CalendarFeedView,
    CalendarViewSet,
    EventSearchView,
    EventViewSet,
    PersonalFeedKeyView,
    PersonalFeedRotateView,
    PersonalFeedView,
)

router = SimpleRouter(trailing_slash=True)
router.register("calendars", CalendarViewSet, basename="calendar")

event_list = EventViewSet.as_view({"get": "list", "post": "create"})
event_detail = EventViewSet.as_view(
    {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
)

urlpatterns = [
    path("calendars/<int:pk>/feed.ics", CalendarFeedView.as_view(), name="calendar-feed"),
    path("calendars/<int:calendar_pk>/events/", event_list, name="calendar-event-list"),
    path("calendars/<int:calendar_pk>/events/<int:pk>/", event_detail, name="calendar-event-detail"),
    path("events/search/", EventSearchView.as_view(), name="event-search"),
    path("me/feed.ics", PersonalFeedView.as_view(), name="personal-feed"),
    path("me/feed/", PersonalFeedKeyView.as_view(), name="personal-feed-key"),
    path("me/feed/rotate/", PersonalFeedRotateView.as_view(), name="personal-feed-rotate"),
    *router.urls,
]
