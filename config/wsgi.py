import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")

application = get_wsgi_application()

# After Django is set up: every view loaded, then how this worker collects garbage
# (config/collector.py: a full collection no longer lands in the middle of a request).
from config.collector import settle_worker  # noqa: E402

settle_worker()
