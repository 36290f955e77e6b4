"""Settings of the gunicorn that ``bench --http`` starts: those of the bench process itself (its
settings module, so the token peppers match), on the benchmark database, with the bench's URLconf
(the floor views) and its cache key prefix. Only ``bench.http`` uses this module."""

import importlib
import os

_parent = importlib.import_module(os.environ["STANDIN_BENCH_SETTINGS"])
globals().update({name: value for name, value in vars(_parent).items() if name.isupper()})

DEBUG = False
ROOT_URLCONF = "bench.urls"
DATABASES = {**_parent.DATABASES, "default": {**_parent.DATABASES["default"], "NAME": os.environ["STANDIN_BENCH_DB"]}}
_PREFIX = os.environ["STANDIN_BENCH_CACHE_PREFIX"]
CACHES = {
    alias: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}{_PREFIX}"}  # as the bench process's
    for alias, config in _parent.CACHES.items()
}
