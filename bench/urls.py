"""The URLconf the bench runs under: the product's, plus the floor views in front of it: bare, and
again under ``/api/`` where the rate limiter counts them as it counts every API request."""

from django.urls import path

from bench.floor import floor_auth_view, floor_view
from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [
    path("bench/floor/<int:user_id>/", floor_view),
    path("bench/floor-auth/<int:user_id>/", floor_auth_view),
    path("api/bench/floor/<int:user_id>/", floor_view),
    path("api/bench/floor-auth/<int:user_id>/", floor_auth_view),
    *product_urlpatterns,
]
