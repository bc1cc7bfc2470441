"""API v1 routes of this app (mounted under /api/v1/)."""

from django.urls import path

from . import api, api_requirements

urlpatterns = [
    path("criteria/", api.CriteriaInForceView.as_view(), name="api-criteria"),
    path(
        "coverage-requirements/",
        api_requirements.CoverageRequirementsView.as_view(),
        name="api-coverage-requirements",
    ),
]
