"""API for the decision clocks: extending a case's deadline (API.md, reviewer actions);
the action is declared in `reviews.actions`."""

from django.urls import path

from .api import ExtendView

urlpatterns = [
    path("authorizations/<uuid:case_id>/extend/", ExtendView.as_view(), name="api-case-extend"),
]
