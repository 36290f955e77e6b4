"""Settings shared by every mode. Modes (development, test, production) override only what differs.

Without any environment variables Standin runs "embedded": a SQLite file, a local-memory cache and
Celery on a filesystem broker, so `make run` works on a fresh machine. `DATABASE_URL` and
`REDIS_URL` switch to PostgreSQL and Redis with the same code.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF

from config.env import env_bool, env_int, env_list, env_str, parse_peppers

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("STANDIN_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-secret-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "solo",
    "simple_history",
    "csp",
    "people",
    "tokens",
    "absences",
    "rules",
    "coverage",
    "calendars",
    # The benchmark command (`manage.py bench`, docs/performance.md); no models, no URLs.
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "tokens.middleware.APIRateLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with psycopg's C loader for timestamps (config/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
# The hot path's fixed queries are prepared on the server (config/compiled.py); off for a connection
# pooler in transaction mode that cannot keep prepared statements (docs/deploy.md).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web process and the Celery worker share the file: wait for locks instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "standin"),
            # A Redis outage must not hang requests: fail fast and let callers fall back.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "standin"}}

AUTH_USER_MODEL = "people.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "standin@localhost")

# API tokens are hashed with HMAC-SHA256 under a pepper that is not SECRET_KEY, so rotating the
# session secret never invalidates tokens. "id:secret" pairs; the first one hashes new tokens.
TOKEN_PEPPERS = parse_peppers(env_str("TOKEN_PEPPERS", "dev:development-pepper-not-for-production"))
# How long a worker may keep a token it looked up (seconds; 0 = never). A kept lookup is used only
# while the token epoch in the cache is unchanged, so changes apply at once in every worker; this
# bounds how long one lives should a new epoch fail to reach the cache (docs/tokens.md).
TOKEN_CACHE_SECONDS = env_int("TOKEN_CACHE_SECONDS", 10)

REST_FRAMEWORK = {
    # Bearer first: an unauthenticated call is a 401 with `WWW-Authenticate: Bearer`. The session
    # stays for the browser app's own calls (not scope-limited).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tokens.authentication.BearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # IsAuthenticated plus the token's scopes (GET→read, POST/PUT/PATCH→write, DELETE→delete).
    "DEFAULT_PERMISSION_CLASSES": ["tokens.permissions.TokenScopePermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "config.api.sorting.SortFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    # No OPTIONS metadata: the schema documents no OPTIONS, and SimpleMetadata's get_object() fails
    # on views without a `pk` (a 500). OPTIONS is a 405 in the error shape everywhere.
    "DEFAULT_METADATA_CLASS": None,
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Rate limits (tokens app, docs/tokens.md). Tokens: TokenSettings.default_rate_limit_per_hour or
# their own. Counters live in the default cache (Redis in production); django_ratelimit stays out
# of INSTALLED_APPS (its checks only know django-redis), its functions work without it.
API_RATE_LIMIT_USER_PER_HOUR = env_int("API_RATE_LIMIT_USER_PER_HOUR", 5000)  # session API calls, per user
API_RATE_LIMIT_ANON_PER_HOUR = env_int("API_RATE_LIMIT_ANON_PER_HOUR", 600)  # no or a bad credential, per IP
LOGIN_RATE_LIMIT_PER_IP = env_str("LOGIN_RATE_LIMIT_PER_IP", "30/15m")  # login POSTs
LOGIN_RATE_LIMIT_PER_USERNAME = env_str("LOGIN_RATE_LIMIT_PER_USERNAME", "10/15m")
RATELIMIT_CACHE_PREFIX = "rl:"
RATELIMIT_RETRY_AFTER_ERROR = 30  # seconds without touching an unreachable cache before trying again

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "config.api.errors.ExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "config.api.errors.ExceptionFormatter",
    "ALLOWED_ERROR_STATUS_CODES": ["400", "401", "403", "404", "405", "406", "410", "412", "415", "429", "500"],
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Standin API",
    "DESCRIPTION": (
        "Out-of-office service: absences, routing rules, coverage and calendars. "
        "Errors follow drf-standardized-errors; lists are paginated; `?sort=` and `?fields=` work on every list."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ValidationErrorEnum": "drf_standardized_errors.openapi_serializers.ValidationErrorEnum.choices",
        "ClientErrorEnum": "drf_standardized_errors.openapi_serializers.ClientErrorEnum.choices",
        "ServerErrorEnum": "drf_standardized_errors.openapi_serializers.ServerErrorEnum.choices",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "tokens.schema.add_rate_limit_headers",  # X-RateLimit-*, RateLimit*, Retry-After on 429
        "config.api.schema.add_links_from_creates",  # links for schemathesis' stateful phase
    ],
}

# Content-Security-Policy (django-csp) in every mode, so the browser tests run under the policy that
# production serves: our own origin only, no inline scripts or styles, no plugins, no framing.
# Swagger UI on /api/docs/ gets its one inline style through a per-view update in config/urls.py.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport so the worker and beat run
# inside `make run` without any broker installed.
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    _broker_dir = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
# Periodic work (each app adds its entries here; `make run` runs beat in embedded mode).
CELERY_BEAT_SCHEDULE: dict = {}

# rules: activate and expire one-time rules every minute (idempotent, so a late or doubled run is harmless).
CELERY_BEAT_SCHEDULE["rules-sweep"] = {"task": "rules.sweep_rules", "schedule": 60.0}

# absences: prune the change feed's history older than 90 days, daily (idempotent).
CELERY_BEAT_SCHEDULE["absences-prune-changes"] = {"task": "absences.prune_changes", "schedule": 24 * 3600.0}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
