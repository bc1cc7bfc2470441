"""API v1 routes of this app (mounted under /api/v1/)."""

from django.urls import path

from .api import actions, authorizations, diagnosis_codes, directory, fax, referral_options

urlpatterns: list = [
    path("members/", directory.MemberListView.as_view(), name="api-members"),
    path("providers/", directory.ProviderListView.as_view(), name="api-providers"),
    path("diagnosis-codes/", diagnosis_codes.DiagnosisCodesView.as_view(), name="api-diagnosis-codes"),
    path("referral-options/", referral_options.ReferralOptionsView.as_view(), name="api-referral-options"),
    path("fax/", fax.FaxListView.as_view(), name="api-fax-list"),
    path("fax/inbound/", fax.FaxReceiptCreateView.as_view(), name="api-fax-inbound"),
    path("fax/<str:fax_id>/", fax.FaxDetailView.as_view(), name="api-fax-detail"),
    path("authorizations/", authorizations.AuthorizationListView.as_view(), name="api-authorizations"),
    path("authorizations/<str:case_id>/", authorizations.AuthorizationDetailView.as_view(), name="api-authorization"),
    path(
        "authorizations/<str:case_id>/attachments/",
        actions.AttachmentUploadView.as_view(),
        name="api-authorization-attachments",
    ),
    path(
        "authorizations/<str:case_id>/attachments/<str:attachment_id>/",
        actions.AttachmentDownloadView.as_view(),
        name="api-authorization-attachment",
    ),
    path(
        "authorizations/<str:case_id>/additional-information/",
        actions.AdditionalInformationView.as_view(),
        name="api-authorization-additional-information",
    ),
    path("authorizations/<str:case_id>/withdraw/", actions.WithdrawView.as_view(), name="api-authorization-withdraw"),
    path(
        "authorizations/<str:case_id>/peer-to-peer/",
        actions.PeerToPeerView.as_view(),
        name="api-authorization-peer-to-peer",
    ),
    path("authorizations/<str:case_id>/appeals/", actions.AppealView.as_view(), name="api-authorization-appeals"),
    path(
        "authorizations/<str:case_id>/changes/",
        actions.AuthorizationChangeView.as_view(),
        name="api-authorization-changes",
    ),
    path("authorizations/<str:case_id>/criteria/", actions.CriteriaView.as_view(), name="api-authorization-criteria"),
]
