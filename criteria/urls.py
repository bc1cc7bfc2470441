"""Pages of this app (mounted under /criteria/)."""

from django.urls import path

from . import views

app_name = "criteria"
urlpatterns: list = [
    path("requirements/", views.lookup, name="requirements"),
    path("prior-authorization-list/", views.public_list, name="public_list"),
]
