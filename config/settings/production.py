"""Production: PostgreSQL, Redis, gunicorn. Refuses to start without its secrets."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env_bool, env_int, env_list, env_str, parse_peppers

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", required=True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", required=True)
TOKEN_PEPPERS = parse_peppers(env_str("TOKEN_PEPPERS", required=True))
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
