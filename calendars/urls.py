from django.urls import path

from calendars import views

urlpatterns = [
    path("calendar/", views.calendar_page, name="calendar"),
]
