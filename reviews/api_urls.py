"""API v1 routes of this app (mounted under /api/v1/)."""

from django.urls import include, path

from . import api, api_referrals
from .api_fax import FaxAttachView
from .api_reasons import ReasonCodeListView
from .api_reports import PriorAuthorizationMetricsView
from .api_stays import (
    ConcurrentQueueView,
    StayApproveDaysView,
    StayDetailView,
    StayDischargeView,
    StayNoteView,
    StayRouteView,
)
from .api_worksheet import WorksheetView

urlpatterns: list = [
    path("fax/<str:fax_id>/attach/", FaxAttachView.as_view(), name="api-fax-attach"),
    path(
        "reports/prior-authorization-metrics/",
        PriorAuthorizationMetricsView.as_view(),
        name="api-prior-authorization-metrics",
    ),
    path("authorizations/<str:case_id>/assign/", api.AssignView.as_view(), name="api-case-assign"),
    path("authorizations/<str:case_id>/pend/", api.PendView.as_view(), name="api-case-pend"),
    path("authorizations/<str:case_id>/approve/", api.ApproveView.as_view(), name="api-case-approve"),
    path(
        "authorizations/<str:case_id>/route-to-physician/", api.RouteView.as_view(), name="api-case-route-to-physician"
    ),
    path("authorizations/<str:case_id>/deny/", api.DenyView.as_view(), name="api-case-deny"),
    path(
        "authorizations/<str:case_id>/partially-approve/",
        api.PartiallyApproveView.as_view(),
        name="api-case-partially-approve",
    ),
    path("authorizations/<str:case_id>/worksheet/", WorksheetView.as_view(), name="api-case-worksheet"),
    path("reason-codes/", ReasonCodeListView.as_view(), name="api-reason-codes"),
    path("queues/nurse/", api.NurseQueueView.as_view(), name="api-queue-nurse"),
    path("queues/referral-management/", api_referrals.ReferralQueueView.as_view(), name="api-queue-referrals"),
    path(
        "authorizations/<str:case_id>/redirection/",
        api_referrals.RedirectionOfferView.as_view(),
        name="api-case-redirection-offer",
    ),
    path(
        "authorizations/<str:case_id>/approve-out-of-network/",
        api_referrals.OutOfNetworkApproveView.as_view(),
        name="api-case-approve-out-of-network",
    ),
    path(
        "authorizations/<str:case_id>/redirections/",
        api_referrals.RedirectionListView.as_view(),
        name="api-case-redirections",
    ),
    path(
        "authorizations/<str:case_id>/redirection/accept/",
        api_referrals.RedirectionAcceptView.as_view(),
        name="api-case-redirection-accept",
    ),
    path(
        "authorizations/<str:case_id>/redirection/decline/",
        api_referrals.RedirectionDeclineView.as_view(),
        name="api-case-redirection-decline",
    ),
    path("queues/physician/", api.PhysicianQueueView.as_view(), name="api-queue-physician"),
    path("queues/appeals/", api.AppealQueueView.as_view(), name="api-queue-appeals"),
    path("queues/concurrent/", ConcurrentQueueView.as_view(), name="api-queue-concurrent"),
    path("stays/<str:stay_id>/", StayDetailView.as_view(), name="api-stay-detail"),
    path("stays/<str:stay_id>/approve-days/", StayApproveDaysView.as_view(), name="api-stay-approve-days"),
    path("stays/<str:stay_id>/route-to-physician/", StayRouteView.as_view(), name="api-stay-route"),
    path("stays/<str:stay_id>/discharge/", StayDischargeView.as_view(), name="api-stay-discharge"),
    path("stays/<str:stay_id>/notes/", StayNoteView.as_view(), name="api-stay-note"),
    path("appeals/<str:appeal_id>/", api.AppealDetailView.as_view(), name="api-appeal-detail"),
    path("appeals/<str:appeal_id>/decide/", api.AppealDecideView.as_view(), name="api-appeal-decide"),
    path("", include("reviews.api_clocks")),
]
