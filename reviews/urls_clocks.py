"""Deadline pages (included from reviews/urls.py)."""

from django.urls import path

from . import views_clocks
from .views import case

urlpatterns = [
    path("at-risk/", views_clocks.at_risk, name="at_risk"),
    path("cases/<uuid:case_id>/extend/", case.extend, {"name": "extend"}, name="extend"),
]
