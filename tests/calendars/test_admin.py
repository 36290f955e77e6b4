import pytest
from django.test import Client

from calendars.models import Calendar, PersonalFeed
from tests.calendars.factories import CalendarFactory, EventFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def test_admin_lists_search_and_filter(admin_client, user):
    calendar = CalendarFactory(name="Platform", owner=user, members=[user])
    EventFactory(calendar=calendar, title="Release 4.2", type="release")
    response = admin_client.get("/admin/calendars/calendar/", {"q": "plat", "is_public__exact": "0"})
    assert response.status_code == 200 and b"Platform" in response.content
    assert admin_client.get(f"/admin/calendars/calendar/{calendar.pk}/change/").status_code == 200
    response = admin_client.get("/admin/calendars/event/", {"q": "release", "type": "release"})
    assert response.status_code == 200 and b"Release 4.2" in response.content
    assert admin_client.get("/admin/calendars/personalfeed/").status_code == 200


def test_admin_rotates_feed_keys(admin_client, user):
    calendar = CalendarFactory(owner=user)
    old = calendar.feed_key
    response = admin_client.post(
        "/admin/calendars/calendar/", {"action": "rotate_feed_keys", "_selected_action": [calendar.pk]}
    )
    assert response.status_code == 302
    assert Calendar.objects.get(pk=calendar.pk).feed_key != old
    feed = PersonalFeed.objects.create(user=user)
    admin_client.post("/admin/calendars/personalfeed/", {"action": "rotate_keys", "_selected_action": [feed.pk]})
    assert PersonalFeed.objects.get(pk=feed.pk).feed_key != feed.feed_key
