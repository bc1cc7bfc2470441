"""Pages of this app (mounted under /notifications/)."""

from django.urls import include, path

from . import views, views_gold_card
from .contact.urls import urlpatterns as contact_urlpatterns

app_name = "notifications"
urlpatterns: list = [
    *contact_urlpatterns,
    path("cases/<uuid:case_id>/letters/", views.case_letters_page, name="case_letters"),
    path("gold-card/", views_gold_card.gold_card_page, name="gold_card"),
    path("gold-card/letters/<uuid:letter_id>/", views_gold_card.gold_card_letter_pdf, name="gold_card_letter"),
    path("", include("notifications.urls_alerts")),
]
