"""The rules API: fields, validation (each with its attr), visibility, filters and sort."""

import datetime as dt

import pytest
import time_machine

from rules.models import Rule
from tests.factories import TeamFactory, UserFactory
from tests.rules.factories import RuleFactory

URL = "/api/v1/rules/"
NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


@pytest.fixture
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def one_time(**extra):
    return {
        "kind": "one_time",
        "name": "Vacation routing",
        "start_at": "2026-12-01T09:00:00Z",
        "end_at": "2026-12-05T17:00:00Z",
        "action": "keep",
        **extra,
    }


def error_of(response):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    return body["errors"][0]["attr"], body["errors"][0]["code"], body["errors"][0]["detail"]


def test_create_one_time_rule_defaults_to_caller(alice_client, user, other):
    response = alice_client.post(
        URL,
        one_time(action="reassign", coverer="bob", projects=["web", "Api", "WEB"], issue_types=["Bug", "bug", "Task"]),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["user"]["username"] == "alice"
    assert body["created_by"]["username"] == "alice"
    assert body["coverer"] == {"id": other.pk, "username": "bob", "email": other.email, "name": "Bob Jones"}
    assert body["projects"] == ["WEB", "API"]
    assert body["issue_types"] == ["Bug", "Task"]
    assert body["status"] == "scheduled"
    assert body["enabled"] is True
    assert body["activated_at"] is None and body["expired_at"] is None
    assert body["start_at"] == "2026-12-01T09:00:00Z"
    assert response["ETag"]


def test_naive_datetimes_are_read_in_the_users_zone(alice_client):
    response = alice_client.post(URL, one_time(start_at="2026-12-01T09:00:00", end_at="2026-12-01T17:00:00"))
    assert response.json()["start_at"] == "2026-12-01T08:00:00Z"  # Europe/Berlin, UTC+1 in December


def test_create_recurring_rule_is_active_at_once(alice_client):
    response = alice_client.post(URL, {"kind": "recurring", "action": "unassign", "message": "{user} is away"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active"
    assert body["start_at"] is None and body["end_at"] is None
    assert body["activated_at"] == "2026-11-20T12:00:00Z"


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        (one_time(start_at=None), "start_at", "required"),
        ({"kind": "one_time", "action": "keep", "end_at": "2026-12-05T17:00:00Z"}, "start_at", "required"),
        ({"kind": "one_time", "action": "keep", "start_at": "2026-12-05T17:00:00Z"}, "end_at", "required"),
        (one_time(end_at="2026-12-01T09:00:00Z"), "end_at", "end_before_start"),
        (one_time(end_at="2026-11-30T09:00:00Z"), "end_at", "end_before_start"),
        ({"kind": "recurring", "action": "keep", "start_at": "2026-12-01T09:00:00Z"}, "start_at", "not_allowed"),
        ({"kind": "recurring", "action": "keep", "end_at": "2026-12-01T09:00:00Z"}, "end_at", "not_allowed"),
        ({"action": "keep"}, "kind", "required"),
        (one_time(kind="weekly"), "kind", "invalid_choice"),
        (one_time(action=None), "action", "null"),
        (one_time(action="forward"), "action", "invalid_choice"),
        (one_time(action="reassign"), "coverer", "required"),
        (one_time(action="reassign", coverer="alice"), "coverer", "self_cover"),
        (one_time(action="keep", coverer="bob"), "coverer", "not_allowed"),
        (one_time(action="reassign", coverer="nobody"), "coverer", "unknown"),
        (one_time(name="x" * 121), "name", "max_length"),
        (one_time(message="x" * 2001), "message", "max_length"),
        (one_time(message="Ask {manager}"), "message", "unknown_placeholder"),
        (one_time(projects="WEB"), "projects", "not_a_list"),
        (one_time(projects=[""]), "projects.0", "blank"),
        (one_time(issue_types=["Bug", "x" * 101]), "issue_types.1", "max_length"),
        (one_time(enabled="maybe"), "enabled", "invalid"),
        (one_time(start_at="tomorrow"), "start_at", "invalid"),
        (one_time(user="ghost"), "user", "unknown"),
    ],
)
def test_invalid_rule_is_a_400_naming_the_field(alice_client, other, payload, attr, code):
    response = alice_client.post(URL, payload)
    assert error_of(response)[:2] == (attr, code)
    assert not Rule.objects.exists()


def test_read_only_fields_are_ignored(alice_client):
    response = alice_client.post(URL, one_time(status="expired", activated_at="2020-01-01T00:00:00Z"))
    assert response.json()["status"] == "scheduled"
    assert response.json()["activated_at"] is None


def test_non_admin_cannot_create_for_someone_they_do_not_lead(alice_client, other):
    response = alice_client.post(URL, one_time(user="bob"))
    attr, code, _ = error_of(response)
    assert (attr, code) == ("user", "not_permitted")


def test_lead_creates_and_manages_rules_of_members(client_for, user, other):
    TeamFactory(members=[user, other], leads=[user])
    client = client_for(user)
    created = client.post(URL, one_time(user="bob"))
    assert created.status_code == 201
    assert created.json()["user"]["username"] == "bob"
    assert created.json()["created_by"]["username"] == "alice"
    rule_id = created.json()["id"]
    assert client.patch(f"{URL}{rule_id}/", {"name": "Bob's rule"}).json()["name"] == "Bob's rule"
    # bob sees his rule too
    assert client_for(other).get(f"{URL}{rule_id}/").json()["created_by"]["username"] == "alice"


def test_admin_creates_for_others_and_by_admin_filter(client_for, staff, user, other):
    admin = client_for(staff)
    response = admin.post(URL, one_time(user="alice", action="reassign", coverer="bob"))
    assert response.status_code == 201
    assert response.json()["created_by"]["username"] == "root"
    own = RuleFactory(user=user, created_by=user)
    by_admin = admin.get(URL, {"by_admin": "true"}).json()["results"]
    assert [r["id"] for r in by_admin] == [response.json()["id"]]
    assert [r["id"] for r in admin.get(URL, {"by_admin": "false"}).json()["results"]] == [own.pk]
    assert [r["id"] for r in admin.get(URL, {"created_by": "root"}).json()["results"]] == [response.json()["id"]]


def test_another_users_rule_is_404_and_not_listed(client_for, alice_client, other):
    rule = RuleFactory(user=other)
    assert alice_client.get(f"{URL}{rule.pk}/").status_code == 404
    assert alice_client.patch(f"{URL}{rule.pk}/", {"name": "x"}).status_code == 404
    assert alice_client.delete(f"{URL}{rule.pk}/").status_code == 404
    assert alice_client.get(URL).json()["count"] == 0
    assert Rule.objects.get(pk=rule.pk).name == rule.name


def test_member_cannot_see_leads_rules(client_for, user, other):
    TeamFactory(members=[user, other], leads=[user])
    rule = RuleFactory(user=user)
    assert client_for(other).get(f"{URL}{rule.pk}/").status_code == 404


def test_patch_enabled_false_disables_and_reenable_reads_clock(alice_client):
    rule_id = alice_client.post(URL, one_time()).json()["id"]
    disabled = alice_client.patch(f"{URL}{rule_id}/", {"enabled": False}).json()
    assert (disabled["enabled"], disabled["status"]) == (False, "disabled")
    with time_machine.travel(dt.datetime(2026, 12, 2, tzinfo=dt.UTC), tick=False):
        enabled = alice_client.patch(f"{URL}{rule_id}/", {"enabled": True}).json()
    assert enabled["status"] == "active"
    assert enabled["activated_at"] == "2026-12-02T00:00:00Z"


def test_switching_to_recurring_clears_window_and_to_unassign_clears_coverer(alice_client, other):
    rule_id = alice_client.post(URL, one_time(action="reassign", coverer="bob")).json()["id"]
    body = alice_client.patch(f"{URL}{rule_id}/", {"kind": "recurring", "action": "unassign"}).json()
    assert (body["start_at"], body["end_at"], body["coverer"], body["status"]) == (None, None, None, "active")


def test_patch_validates_the_resulting_rule(alice_client):
    rule_id = alice_client.post(URL, one_time()).json()["id"]
    assert error_of(alice_client.patch(f"{URL}{rule_id}/", {"action": "reassign"}))[:2] == ("coverer", "required")
    attr, code, _ = error_of(alice_client.patch(f"{URL}{rule_id}/", {"end_at": "2026-11-01T00:00:00Z"}))
    assert (attr, code) == ("end_at", "end_before_start")
    assert Rule.objects.get(pk=rule_id).action == "keep"


def test_put_replaces_and_delete_removes(alice_client):
    rule_id = alice_client.post(URL, one_time()).json()["id"]
    put = alice_client.put(f"{URL}{rule_id}/", {"kind": "recurring", "action": "keep", "name": "Always"})
    assert put.status_code == 200
    assert put.json()["name"] == "Always"
    assert alice_client.delete(f"{URL}{rule_id}/").status_code == 204
    assert alice_client.get(f"{URL}{rule_id}/").status_code == 404


def test_stale_if_match_is_412(alice_client):
    created = alice_client.post(URL, one_time())
    rule_id, etag = created.json()["id"], created["ETag"]
    assert alice_client.patch(f"{URL}{rule_id}/", {"name": "a"}, HTTP_IF_MATCH=etag).status_code == 200
    assert alice_client.patch(f"{URL}{rule_id}/", {"name": "b"}, HTTP_IF_MATCH=etag).status_code == 412
    assert Rule.objects.get(pk=rule_id).name == "a"


def test_filters(alice_client, user):
    web = RuleFactory(user=user, projects=["WEB"], status=Rule.Status.ACTIVE)
    every = RuleFactory(user=user, projects=[], kind=Rule.Kind.RECURRING, start_at=None, end_at=None)
    off = RuleFactory(user=user, projects=["API"], enabled=False, status=Rule.Status.DISABLED)

    def ids(**params):
        response = alice_client.get(URL, params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(project="web") == [web.pk, every.pk]
    assert ids(project="API") == [every.pk, off.pk]
    assert ids(kind="recurring") == [every.pk]
    assert ids(enabled="false") == [off.pk]
    assert ids(status=["active", "disabled"]) == [web.pk, off.pk]
    assert ids(user="me") == [web.pk, every.pk, off.pk]
    assert error_of(alice_client.get(URL, {"status": "asleep"}))[0] == "status"
    assert error_of(alice_client.get(URL, {"user": "ghost"}))[0] == "user"


def test_sort(alice_client, user):
    late = RuleFactory(
        user=user, start_at=dt.datetime(2027, 1, 1, tzinfo=dt.UTC), end_at=dt.datetime(2027, 1, 2, tzinfo=dt.UTC)
    )
    early = RuleFactory(user=user)
    assert [r["id"] for r in alice_client.get(URL, {"sort": "start_at"}).json()["results"]] == [early.pk, late.pk]
    assert [r["id"] for r in alice_client.get(URL, {"sort": "-id"}).json()["results"]] == [early.pk, late.pk]
    assert error_of(alice_client.get(URL, {"sort": "name"}))[0] == "sort"


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_count_is_flat(client_for, staff, django_assert_max_num_queries, count):
    owners = UserFactory.create_batch(3)
    for index in range(count):
        RuleFactory(user=owners[index % 3], coverer=owners[(index + 1) % 3], action=Rule.Action.REASSIGN)
    client = client_for(staff)
    with django_assert_max_num_queries(6):
        response = client.get(URL, {"page_size": 500})
    assert response.json()["count"] == count


def test_moving_a_rule_to_someone_not_managed_is_refused(alice_client, user, other):
    rule_id = alice_client.post(URL, one_time()).json()["id"]
    attr, code, _ = error_of(alice_client.patch(f"{URL}{rule_id}/", {"user": "bob"}))
    assert (attr, code) == ("user", "not_permitted")
    assert Rule.objects.get(pk=rule_id).user == user
