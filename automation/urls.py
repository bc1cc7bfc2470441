"""Pages of this app (mounted under /automation/)."""

from django.urls import path

from . import views

app_name = "automation"
urlpatterns: list = [
    path("rules/", views.rule_list, name="rules"),
    path("rules/<int:version_id>/", views.rule_detail, name="rule"),
    path("gold-cards/", views.gold_cards, name="gold_cards"),
]
