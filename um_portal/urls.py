"""Root URLs. Each app owns its pages (`<app>/urls.py`) and its API (`<app>/api_urls.py`),
included here once."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import health, views

# Swagger UI's start-up code is served as a separate script (the split view), so the page
# needs no inline script; its files come from our static files (sidecar), not a CDN.
api_docs = SpectacularSwaggerSplitView.as_view(url_name="api-schema")

api_v1 = [
    path("", include("um_portal.api_urls")),
    path("", include("cases.api_urls")),
    path("", include("criteria.api_urls")),
    path("", include("reviews.api_urls")),
    path("", include("automation.api_urls")),
    path("", include("notifications.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("accounts/", include("um_portal.account_urls")),
    path("audit/", include("um_portal.audit.urls")),
    # The turnaround rules moved from reviews to cases (issue 11): old admin links still work.
    re_path(
        r"^admin/reviews/(?P<model>turnaroundrule|turnaroundperiod|planclosure)/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/cases/%(model)s/%(rest)s", permanent=True, query_string=True),
        name="admin-moved-to-cases",
    ),
    path("admin/", admin.site.urls),
    path("cases/", include("cases.urls")),
    path("criteria/", include("criteria.urls")),
    path("reviews/", include("reviews.urls")),
    path("reports/", include("reviews.urls_reports")),
    path("automation/", include("automation.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/v1/", include(api_v1)),
    path("fhir/", include("pas.urls")),
    path("auth/smart/", include("pas.urls_auth")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
]
