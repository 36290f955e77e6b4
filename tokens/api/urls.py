from django.urls import path
from rest_framework.routers import SimpleRouter

from tokens.api.views import APITokenViewSet, TokenSettingsView

router = SimpleRouter(trailing_slash=True)
router.register("tokens", APITokenViewSet, basename="token")

urlpatterns = [
    path("settings/tokens/", TokenSettingsView.as_view(), name="token-settings"),
    *router.urls,
]
