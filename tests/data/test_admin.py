"""The admin's export actions and import page use the same code and summary as the commands."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from absences.models import Absence
from absences.services import absence_create
from tests.factories import UserFactory

CHANGELIST = "/admin/absences/absence/"
IMPORT = "/admin/absences/absence/import/"


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def absences(user):
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    return [
        absence_create(user=user, title="Dentist", start_at=start, end_at=start + dt.timedelta(hours=1)),
        absence_create(user=user, title="Holiday", start_date=dt.date(2026, 8, 3), end_date=dt.date(2026, 8, 7)),
        absence_create(user=user, title="Not selected", start_date=dt.date(2026, 9, 1), end_date=dt.date(2026, 9, 1)),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "content_type", "marker"),
    [
        ("export_selected_csv", "text/csv", "user,type,start"),
        ("export_selected_ics", "text/calendar", "BEGIN:VCALENDAR"),
    ],
)
def test_exporting_the_selected_absences_downloads_only_those(admin_client, absences, action, content_type, marker):
    response = admin_client.post(CHANGELIST, {"action": action, "_selected_action": [absences[0].pk, absences[1].pk]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    assert body.startswith(marker)
    assert "Dentist" in body and "Holiday" in body and "Not selected" not in body


@pytest.mark.django_db
def test_the_changelist_links_to_the_import_page(admin_client, absences):
    assert IMPORT in admin_client.get(CHANGELIST).content.decode()


@pytest.mark.django_db
def test_importing_a_file_in_the_admin_shows_the_summary_with_bad_lines(admin_client, user):
    upload = SimpleUploadedFile(
        "hr.csv",
        b"user,start,end,title,source_id\nalice,2026-07-01,2026-07-03,Summer,h-1\nzed,2026-07-01,2026-07-03,X,h-2\n",
        content_type="text/csv",
    )

    response = admin_client.post(IMPORT, {"file": upload, "source": "hr"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "Imported: 1 created, 0 updated, 0 unchanged, 1 failed." in page
    assert "line 3: user: No active user &#x27;zed&#x27;." in page
    assert list(Absence.objects.values_list("source", "source_id", "title")) == [("hr", "h-1", "Summer")]


@pytest.mark.django_db
def test_an_admin_dry_run_writes_nothing(admin_client, user):
    upload = SimpleUploadedFile("hr.csv", b"user,start,end,source_id\nalice,2026-07-01,2026-07-03,h-1\n")
    response = admin_client.post(IMPORT, {"file": upload, "source": "hr", "dry_run": "on"})
    assert "Dry run (nothing written): 1 created" in response.content.decode()
    assert Absence.objects.count() == 0


@pytest.mark.django_db
def test_an_unreadable_file_is_a_form_error(admin_client, user):
    upload = SimpleUploadedFile("notes.txt", b"hello")
    response = admin_client.post(IMPORT, {"file": upload, "source": "hr"})
    assert response.status_code == 200
    assert "Give a .csv or an .ics file." in response.content.decode()


@pytest.mark.django_db
def test_people_without_admin_rights_cannot_reach_the_import_page(client_for, user):
    client = Client()
    client.force_login(user)
    response = client.get(IMPORT)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_the_change_feed_is_listed_read_only_in_the_admin(admin_client, absences):
    page = admin_client.get("/admin/absences/absencechange/")
    assert page.status_code == 200
    assert "upsert" in page.content.decode()
    change = absences[0].pk
    assert admin_client.get("/admin/absences/absencechange/add/").status_code == 403
    assert admin_client.get(f"/admin/absences/absencechange/?q={change}").status_code == 200
