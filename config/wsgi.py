import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")

application = get_wsgi_application()

# Import every view, serializer and schema now (the URLconf), then move everything alive into the
# permanent generation: Python's full collections stop walking the hundreds of thousands of
# long-lived objects of Django and the app on every request that happens to trigger one (a
# 20-100 ms pause, the p99 of the heavier lists; docs/performance.md).
get_resolver().url_patterns  # noqa: B018 - loads the URLconf
gc.collect()
gc.freeze()
