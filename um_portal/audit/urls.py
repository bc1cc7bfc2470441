"""Audit pages for UM administrators (Perm.AUDIT_VIEW), mounted at /audit/."""

from django.urls import path

from . import views as audit_views

app_name = "audit"
urlpatterns = [
    path("", audit_views.audit_log, name="log"),
    path("export.csv", audit_views.audit_export, name="export"),
    path("members/<int:member_id>/", audit_views.member_disclosures, name="member"),
]
