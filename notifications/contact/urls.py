"""Phone-line pages (included by notifications/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("lines/", views.lines_grid, name="lines_grid"),
    path("lines/new/", views.line_edit, name="line_new"),
    path("lines/<int:line_id>/", views.line_edit, name="line_edit"),
    path("lines/<int:line_id>/delete/", views.line_delete, name="line_delete"),
    path("lines/<int:line_id>/hours/<int:weekday>/", views.line_hours_edit, name="line_hours_edit"),
    path("lines/closures/", views.closures, name="closures"),
    path("lines/closures/<int:closure_id>/delete/", views.closure_remove, name="closure_remove"),
    path("lines/preview/", views.preview, name="lines_preview"),
    path("lines/changes/", views.changes, name="lines_changes"),
]
