"""How a web worker runs Python's garbage collector (docs/performance.md, "Garbage collection").

A request leaves its objects in reference cycles (Django's request and its CSP nonce, DRF's
request and view, the serializer and its fields, and with them the page's rows), so they are
freed by the collector, not when the response is sent. A younger collection that runs while a
request is under way moves that request's live objects into the oldest generation, and a full
collection then frees ~27 requests' worth at once: 8-14 ms in the middle of some later request,
the p99 of the heavier lists.

``settle_worker`` is what a worker does once it has loaded the app: everything alive then is moved
out of the collector's reach (``gc.freeze``), and from then on each request starts with a young
collection (``collect_young``, on ``request_started``), which frees the previous requests' cycles
while they are still young (~1 ms for a page of 100 rows). Nothing of a finished request reaches
the oldest generation, and full collections stop.
"""

import gc

from django.core.signals import request_started
from django.urls import get_resolver


def collect_young(**kwargs) -> None:
    """Collect the two younger generations: the cyclic garbage of the requests before this one."""
    gc.collect(1)


def settle_worker() -> None:
    """Load every view, serializer and schema (the URLconf), move what is alive into the permanent
    generation, and collect the young generations as each request starts."""
    get_resolver().url_patterns  # noqa: B018 - loads the URLconf
    gc.collect()
    gc.freeze()
    request_started.connect(collect_young, dispatch_uid="config.collector.collect_young")


def unsettle_worker() -> None:
    """Undo ``settle_worker`` (the bench, when it is done measuring in its own process)."""
    request_started.disconnect(collect_young, dispatch_uid="config.collector.collect_young")
    gc.unfreeze()
