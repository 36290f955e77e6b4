from django.urls import path

from coverage.api import views

urlpatterns = [
    path("coverage/availability/<str:user>/", views.AvailabilityView.as_view(), name="coverage-availability"),
    path("coverage/current/", views.CurrentCoverageView.as_view(), name="coverage-current"),
    path("coverage/resolve/", views.ResolveView.as_view(), name="coverage-resolve"),
    path("teams/<int:pk>/staffing/", views.TeamStaffingView.as_view(), name="team-staffing"),
]
