"""Settings for the test suite: the same database and cache choice as the environment gives
(PostgreSQL + Redis in CI, SQLite + local memory in the embedded run), with eager Celery, an
in-memory mailbox and a fast password hasher."""

from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES, REDIS_URL, env_str

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
TOKEN_PEPPERS = {"test2": "second-test-pepper-0123456789", "test1": "first-test-pepper-0123456789"}
# Every request looks its token up, so statement counts compared across requests stay comparable;
# tests/tokens/test_token_cache.py turns kept lookups on (and tests/bench measures both).
TOKEN_CACHE_SECONDS = 0
if REDIS_URL:
    # Keys of test runs never collide with a development server sharing the same Redis.
    CACHES["default"]["KEY_PREFIX"] = env_str("CACHE_KEY_PREFIX", "standin-test")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
