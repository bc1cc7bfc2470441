"""API v1 routes of this app (mounted under /api/v1/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("criteria/", api.CriteriaInForceView.as_view(), name="api-criteria"),
]
