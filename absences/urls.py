from django.urls import path

from absences import views

urlpatterns = [
    path("absences/", views.absence_list_page, name="absence-list"),
    path("absences/new/", views.absence_create_page, name="absence-create"),
    path("absences/check/", views.absence_check, name="absence-check"),
    path("absences/<int:pk>/edit/", views.absence_edit_page, name="absence-edit"),
    path("absences/<int:pk>/check/", views.absence_check, name="absence-check-existing"),
    path("absences/<int:pk>/delete/", views.absence_delete_page, name="absence-delete"),
]
