"""The Django admin for absences goes through the services and shows useful lists."""

import pytest
from django.test import Client

from absences.models import Absence
from tests.absences.factories import AbsenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(staff):
    staff.is_superuser = True
    staff.save()
    browser = Client()
    browser.force_login(staff)
    return browser


def test_add_an_all_day_absence(admin_browser, user, other):
    response = admin_browser.post(
        "/admin/absences/absence/add/",
        {
            "user": user.pk,
            "type": "vacation",
            "start_date": "2026-03-29",
            "end_date": "2026-03-29",
            "coverer": other.pk,
            "recurrence_exceptions": "[]",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    absence = Absence.objects.get()
    assert absence.all_day and (absence.end_at - absence.start_at).total_seconds() == 23 * 3600
    assert absence.history.count() == 1


def test_service_errors_show_on_the_form(admin_browser, user):
    response = admin_browser.post(
        "/admin/absences/absence/add/",
        {
            "user": user.pk,
            "type": "vacation",
            "coverer": user.pk,
            "start_date": "2026-03-02",
            "recurrence_exceptions": "[]",
        },
    )
    assert response.status_code == 200
    assert "The coverer must be someone else" in response.content.decode()
    assert not Absence.objects.exists()


def test_change_list_search_filters_and_history(admin_browser, user, other):
    mine = AbsenceFactory(user=user, title="Alpine trip", type_id="trip")
    AbsenceFactory(user=other, title="Beach")
    page = admin_browser.get("/admin/absences/absence/", {"q": "alice", "state": "past", "type__key__exact": "trip"})
    assert page.status_code == 200
    assert "Alpine trip" in page.content.decode() and "Beach" not in page.content.decode()
    change = admin_browser.post(
        f"/admin/absences/absence/{mine.pk}/change/",
        {
            "user": user.pk,
            "type": "trip",
            "title": "Alps",
            "start_at_0": "2026-03-02",
            "start_at_1": "09:00:00",
            "end_at_0": "2026-03-02",
            "end_at_1": "17:00:00",
            "recurrence_exceptions": "[]",
        },
    )
    assert change.status_code == 302, change.content.decode()[:3000]
    mine.refresh_from_db()
    assert mine.title == "Alps"
    assert admin_browser.get(f"/admin/absences/absence/{mine.pk}/history/").status_code == 200
    assert admin_browser.get("/admin/absences/absencetype/").status_code == 200


def test_type_admin_refuses_the_reserved_key(admin_browser):
    response = admin_browser.post(
        "/admin/absences/absencetype/add/", {"key": "away", "name": "Away", "color": "#000000"}
    )
    assert response.status_code == 200 and "reserved" in response.content.decode()
    created = admin_browser.post(
        "/admin/absences/absencetype/add/", {"key": "parental", "name": "Parental", "color": "#000000"}
    )
    assert created.status_code == 302
