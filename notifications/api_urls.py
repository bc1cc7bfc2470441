"""API v1 routes of this app (mounted under /api/v1/)."""

from django.urls import path

from . import views
from .contact.api import ContactRouteView

urlpatterns: list = [
    path("contact/route/", ContactRouteView.as_view(), name="contact-route"),
    path("letters/<str:letter_id>/pdf", views.LetterPdfView.as_view(), name="letter-pdf"),
]
