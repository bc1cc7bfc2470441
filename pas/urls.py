"""/fhir/: the Da Vinci PAS endpoints. Anything else under /fhir/ is an OperationOutcome."""

from django.urls import path, re_path

from . import views

app_name = "pas"

urlpatterns = [
    path("metadata", views.MetadataView.as_view(), name="metadata"),
    path(".well-known/smart-configuration", views.smart_configuration, name="smart-configuration"),
    path("Claim/$submit", views.ClaimSubmitView.as_view(), name="claim-submit"),
    path("Claim/$inquire", views.ClaimInquireView.as_view(), name="claim-inquire"),
    path("Subscription", views.SubscriptionListView.as_view(), name="subscriptions"),
    path("Subscription/<int:subscription_id>", views.SubscriptionDetailView.as_view(), name="subscription"),
    path(
        "Subscription/<int:subscription_id>/$status", views.SubscriptionStatusView.as_view(), name="subscription-status"
    ),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not-supported"),
]
