"""Searches and feeds read their people as ``PersonRow``s: what they show of one is what they
would show of the ``User``."""

import pytest

from calendars.selectors import HOLIDAY_FIELDS, load_people, regions_of
from config.api.fields import user_display_name, user_ref, zone_of
from people.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_person_row_shows_what_the_user_shows():
    people = [
        UserFactory(first_name="Jürgen", last_name="Groß", timezone="Europe/Berlin", holiday_country="DE"),
        UserFactory(first_name="", last_name="", timezone="America/New_York"),
        UserFactory(first_name=" Ann ", last_name="", holiday_country="DE", holiday_subdivision="BY"),
    ]
    rows = load_people({p.pk for p in people}, HOLIDAY_FIELDS)
    for person in User.objects.filter(pk__in=[p.pk for p in people]):
        row = rows[person.pk]
        assert row.pk == person.pk
        assert user_ref(row) == user_ref(person)
        assert user_display_name(row) == user_display_name(person)
        assert zone_of(row) == zone_of(person)
    assert regions_of(rows.values()) == {("DE", ""), ("DE", "BY")}
    assert load_people(set()) == {}
