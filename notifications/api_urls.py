"""API v1 routes of this app (mounted under /api/v1/)."""

from django.urls import path

from .api_contact import ContactRouteView

urlpatterns: list = [
    path("contact/route/", ContactRouteView.as_view(), name="contact-route"),
]
