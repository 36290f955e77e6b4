from django.contrib.auth import views as auth_views
from django.urls import path

from tokens.login import RateLimitedLoginView

urlpatterns = [
    path("accounts/login/", RateLimitedLoginView.as_view(), name="login"),  # per IP and username
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]
