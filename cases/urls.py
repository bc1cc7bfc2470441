"""Pages of this app (mounted under /cases/)."""

from django.urls import path

from . import views, views_actions, views_fax

app_name = "cases"
urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("eligibility/", views.eligibility, name="eligibility"),
    path("new/", views.submit, name="new"),
    path("faxes/", views_fax.inbox, name="fax_inbox"),
    path("faxes/upload/", views_fax.upload, name="fax_upload"),
    path("faxes/<str:fax_id>/", views_fax.detail, name="fax_detail"),
    path("faxes/<str:fax_id>/file/", views_fax.file, name="fax_file"),
    path("faxes/<str:fax_id>/attach/", views_fax.attach, name="fax_attach"),
    path("<str:case_id>/", views.detail, name="detail"),
    path("<str:case_id>/documents/", views_actions.act, {"name": "document_upload"}, name="document_upload"),
    path("<str:case_id>/documents/<str:attachment_id>/", views_actions.document_download, name="document_download"),
    path("<str:case_id>/respond/", views_actions.act, {"name": "respond"}, name="respond"),
    path("<str:case_id>/withdraw/", views_actions.act, {"name": "withdraw"}, name="withdraw"),
    path("<str:case_id>/criteria-copy/", views_actions.act, {"name": "criteria_copy"}, name="criteria_copy"),
    path("<str:case_id>/peer-to-peer/", views_actions.act, {"name": "peer_to_peer"}, name="peer_to_peer"),
    path("<str:case_id>/appeal/", views_actions.act, {"name": "appeal"}, name="appeal"),
    path(
        "<str:case_id>/redirection/accept/",
        views_actions.redirection_act,
        {"name": "redirection_accept"},
        name="redirection_accept",
    ),
    path(
        "<str:case_id>/redirection/decline/",
        views_actions.redirection_act,
        {"name": "redirection_decline"},
        name="redirection_decline",
    ),
    path(
        "<str:case_id>/authorization-change/",
        views_actions.act,
        {"name": "authorization_change"},
        name="authorization_change",
    ),
]
