"""Notification pages (included from notifications/urls.py)."""

from django.urls import path

from . import views_alerts

urlpatterns = [
    path("", views_alerts.notification_list, name="list"),
    path("<int:notification_id>/read/", views_alerts.notification_read, name="read"),
    path("read-all/", views_alerts.notification_read_all, name="read_all"),
]
