from django.urls import path

from coverage import views

urlpatterns = [
    path("", views.home, name="home"),
    path("teams/staffing/", views.staffing_start, name="staffing-start"),
    path("teams/<int:pk>/staffing/", views.staffing, name="staffing"),
]
