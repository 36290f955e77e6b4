from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api.views import NotFoundView

handler500 = "config.api.errors.server_error_handler"

# Swagger UI under the CSP: the split view serves its init script as a file; its template's one
# inline <style> block is allowed by hash on this page only (tests/browser/test_api_docs.py).
SWAGGER_UI_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"
swagger_ui = csp_update({"style-src": [SWAGGER_UI_STYLE_HASH]})(SpectacularSwaggerSplitView.as_view(url_name="schema"))

api_v1 = [
    path("", include("people.api.urls")),
    path("", include("tokens.api.urls")),
    path("", include("absences.api.urls")),
    path("", include("rules.api.urls")),
    path("", include("coverage.api.urls")),
    path("", include("calendars.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", swagger_ui, name="swagger-ui"),
    re_path(r"^api/", NotFoundView.as_view()),
    path("", include("people.urls")),
]
