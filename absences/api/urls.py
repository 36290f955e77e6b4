from rest_framework.routers import SimpleRouter

from absences.api.views import AbsenceTypeViewSet, AbsenceViewSet

router = SimpleRouter(trailing_slash=True)
router.register("absence-types", AbsenceTypeViewSet, basename="absence-type")
router.register("absences", AbsenceViewSet, basename="absence")

urlpatterns = router.urls
