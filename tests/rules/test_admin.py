"""The admin console: rules saved through the services, settings as a singleton, filters validated."""

import pytest
from django.test import Client

from rules.models import RoutingSettings, Rule
from tests.rules.factories import RuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(staff):
    staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    return client


def test_rule_pages_render_with_search_and_filters(admin_browser, user):
    RuleFactory(user=user, name="Holiday routing")
    page = admin_browser.get("/admin/rules/rule/", {"q": "holiday", "status__exact": "scheduled"})
    assert page.status_code == 200
    assert "Holiday routing" in page.content.decode()
    assert admin_browser.get("/admin/rules/rule/add/").status_code == 200
    assert admin_browser.get("/admin/rules/userroutingpreference/").status_code == 200


def test_adding_a_rule_in_admin_uses_the_services(admin_browser, staff, user, other):
    form = {
        "user": user.pk,
        "kind": "recurring",
        "name": "From admin",
        "enabled": "on",
        "projects": '["web"]',
        "issue_types": "[]",
        "action": "reassign",
        "coverer": other.pk,
        "message": "",
        "transitions-TOTAL_FORMS": "0",
        "transitions-INITIAL_FORMS": "0",
    }
    response = admin_browser.post("/admin/rules/rule/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = Rule.objects.get(name="From admin")
    assert (rule.status, rule.created_by, rule.projects) == ("active", staff, ["WEB"])

    form.update(name="Broken", coverer="")
    response = admin_browser.post("/admin/rules/rule/add/", form)
    assert response.status_code == 200
    assert "A reassign rule needs a coverer." in response.content.decode()


def test_routing_settings_singleton_validates_the_filter(admin_browser):
    assert admin_browser.get("/admin/rules/routingsettings/").status_code == 200
    form = {
        "reply_interval_hours": 24,
        "exclusion_mode": "default",
        "default_exclusion_filter": "project in (a,",
    }
    response = admin_browser.post("/admin/rules/routingsettings/", form)
    errors = response.context["adminform"].form.errors
    assert "Unexpected end of filter at line 1, column 15" in str(errors), errors
    form["default_exclusion_filter"] = "project in (a, b)"
    assert admin_browser.post("/admin/rules/routingsettings/", form).status_code == 302
    assert RoutingSettings.get_solo().default_exclusion_filter == "project in (a, b)"
