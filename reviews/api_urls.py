"""API v1 routes of this app (mounted under /api/v1/)."""

from django.urls import path

from .api_reports import PriorAuthorizationMetricsView

urlpatterns: list = [
    path(
        "reports/prior-authorization-metrics/",
        PriorAuthorizationMetricsView.as_view(),
        name="api-prior-authorization-metrics",
    ),
]
