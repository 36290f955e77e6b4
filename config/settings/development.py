"""Development (embedded) mode: the default when DJANGO_SETTINGS_MODULE is not set."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env_bool

DEBUG = env_bool("DEBUG", True)
