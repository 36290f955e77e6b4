from django.urls import path

from rules import views

urlpatterns = [
    path("rules/", views.rule_list_page, name="rule-list"),
    path("rules/new/", views.rule_create_page, name="rule-create"),
    path("rules/<int:pk>/edit/", views.rule_edit_page, name="rule-edit"),
    path("rules/<int:pk>/toggle/", views.rule_toggle, name="rule-toggle"),
    path("rules/<int:pk>/delete/", views.rule_delete_page, name="rule-delete"),
    path("settings/", views.settings_page, name="my-settings"),
]
