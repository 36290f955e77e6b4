"""How a web worker collects garbage (``config/collector.py``): what is alive after start-up is
frozen, and each request starts by freeing the reference cycles the requests before it left, so
that they never reach the oldest generation (whose collection was the p99 of the heavier lists)."""

import datetime as dt
import gc
import weakref

import pytest
from django.core.signals import request_started
from django.utils import timezone

from config.collector import settle_worker, unsettle_worker
from tests.absences.factories import AbsenceFactory

URL = "/api/v1/coverage/current/"


@pytest.fixture
def settled():
    """A settled worker whose collector runs only when asked (no automatic collection can free a
    request's cycles by chance while the test watches them)."""
    was_enabled = gc.isenabled()
    gc.disable()
    settle_worker()
    try:
        yield
    finally:
        unsettle_worker()
        if was_enabled:
            gc.enable()


@pytest.mark.django_db
def test_a_request_starts_by_freeing_what_the_requests_before_it_left(settled, alice_client, other):
    now = timezone.now()
    AbsenceFactory(user=other, start_at=now - dt.timedelta(hours=1), end_at=now + dt.timedelta(days=1))
    response = alice_client.get(URL)
    assert response.status_code == 200
    assert response.json()["count"] == 1
    handled = weakref.ref(response.wsgi_request)
    del response
    assert handled() is not None, "the request is no longer in a reference cycle: is the collector still needed?"

    assert alice_client.get(URL).status_code == 200

    assert handled() is None


@pytest.mark.django_db
def test_without_the_worker_settings_nothing_frees_them(alice_client):
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        response = alice_client.get(URL)
        handled = weakref.ref(response.wsgi_request)
        del response
        alice_client.get(URL)
        assert handled() is not None
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


class _Node:
    pass


def _cycle() -> weakref.ref:
    node = _Node()
    node.itself = node
    return weakref.ref(node)


@pytest.mark.django_db  # request_started's other receivers look at the connection
def test_settling_freezes_what_is_alive_and_unsettling_undoes_it():
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        settle_worker()
        try:
            assert gc.get_freeze_count() > 10_000  # Django, DRF, every view and serializer
            garbage = _cycle()
            request_started.send(sender=None)
            assert garbage() is None
        finally:
            unsettle_worker()
        assert gc.get_freeze_count() == 0
        garbage = _cycle()
        request_started.send(sender=None)
        assert garbage() is not None
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()
