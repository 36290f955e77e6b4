from django.urls import path
from rest_framework.routers import SimpleRouter

from absences.api.changes import AbsenceChangesView
from absences.api.views import AbsenceTypeViewSet, AbsenceViewSet

router = SimpleRouter(trailing_slash=True)
router.register("absence-types", AbsenceTypeViewSet, basename="absence-type")
router.register("absences", AbsenceViewSet, basename="absence")

# The change feed comes before the router's `absences/{id}/`, which would otherwise claim it.
urlpatterns = [path("absences/changes/", AbsenceChangesView.as_view(), name="absence-changes"), *router.urls]
