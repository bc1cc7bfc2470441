"""API v1 routes of this app (mounted under /api/v1/)."""

from django.urls import path

from .api_auth import MeView, TokenView

urlpatterns: list = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
]
