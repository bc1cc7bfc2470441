"""SMART Backend Services' token endpoint, outside /fhir/: it answers OAuth2 JSON (RFC 6749)."""

from django.urls import path

from . import views

urlpatterns = [path("token", views.smart_token, name="smart-token")]
