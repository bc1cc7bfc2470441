"""API v1 routes of this app (mounted under /api/v1/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("auto-approval-rules/", api.RuleVersionListView.as_view(), name="api-auto-rules"),
    path(
        "auto-approval-rules/<int:version_id>/simulate/",
        api.RuleVersionSimulateView.as_view(),
        name="api-auto-rule-simulate",
    ),
    path(
        "auto-approval-rules/<int:version_id>/switch-on/",
        api.RuleVersionSwitchOnView.as_view(),
        name="api-auto-rule-switch-on",
    ),
    path("reports/auto-approval/", api.AutoApprovalReportView.as_view(), name="api-auto-approval-report"),
    path(
        "auto-approval-simulations/<int:simulation_id>/",
        api.SimulationDetailView.as_view(),
        name="api-auto-simulation",
    ),
]
