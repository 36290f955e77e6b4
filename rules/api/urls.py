from django.urls import path
from rest_framework.routers import SimpleRouter

from rules.api.views import MyExclusionFilterView, RoutingSettingsView, RuleViewSet

router = SimpleRouter(trailing_slash=True)
router.register("rules", RuleViewSet, basename="rule")

urlpatterns = [
    path("settings/routing/", RoutingSettingsView.as_view(), name="routing-settings"),
    path("settings/routing/me/", MyExclusionFilterView.as_view(), name="routing-settings-me"),
    *router.urls,
]
