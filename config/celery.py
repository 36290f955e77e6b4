"""The Celery app. Tasks stay thin: they take ids and call a service (see STYLE.md)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")

app = Celery("standin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
