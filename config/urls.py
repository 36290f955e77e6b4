from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.api.views import NotFoundView

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
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    re_path(r"^api/", NotFoundView.as_view()),
    path("", include("people.urls")),
]
