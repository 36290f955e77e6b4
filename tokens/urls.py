from django.urls import path

from tokens import views

urlpatterns = [
    path("integrations/", views.integrations, name="integrations"),
    path("integrations/tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
