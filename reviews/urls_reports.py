"""Public reports (no login), mounted under /reports/."""

from django.urls import path

from .views import public_reports

app_name = "reports"
urlpatterns = [
    path("prior-authorization/", public_reports.prior_authorization_report, name="prior_authorization"),
    path("prior-authorization.csv", public_reports.prior_authorization_report_csv, name="prior_authorization_csv"),
]
