"""Pages of this app (mounted under /notifications/)."""

from django.urls import include, path

from . import views
from .urls_contact import urlpatterns as contact_urlpatterns

app_name = "notifications"
urlpatterns: list = [
    *contact_urlpatterns,
    path("cases/<uuid:case_id>/letters/", views.case_letters_page, name="case_letters"),
    path("", include("notifications.urls_alerts")),
]
