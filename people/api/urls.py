from rest_framework.routers import SimpleRouter

from people.api.views import TeamViewSet, UserViewSet, WorkScheduleViewSet

router = SimpleRouter(trailing_slash=True)
router.register("users", UserViewSet, basename="user")
router.register("work-schedules", WorkScheduleViewSet, basename="work-schedule")
router.register("teams", TeamViewSet, basename="team")

urlpatterns = router.urls
