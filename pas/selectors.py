"""Reads for the PAS answers: the case with what a ClaimResponse shows, in a fixed number of
queries (case, lines, decisions, pends, PAS submissions)."""

from django.db.models import Prefetch

from cases.models import AuthorizationRequest
from reviews.models import Decision, Pend

from .models import PasSubmission, PasSubscription


def case_for_response_queryset():
    return AuthorizationRequest.objects.prefetch_related(
        "lines",
        Prefetch("decisions", queryset=Decision.objects.filter(is_current=True).select_related("coded_reason")),
        Prefetch("pends", queryset=Pend.objects.filter(responded_at__isnull=True)),
        Prefetch("pas_submissions", queryset=PasSubmission.objects.order_by("received_at", "pk")),
    )


def submission_for_response(submission: PasSubmission) -> AuthorizationRequest:
    return case_for_response_queryset().get(pk=submission.case_id)


def subscriptions_for_user(user):
    """The caller's organization's subscriptions that are not deleted (none for staff)."""
    organization_id = getattr(user, "organization_id", None)
    if organization_id is None:
        return PasSubscription.objects.none()
    return (
        PasSubscription.objects.filter(organization_id=organization_id)
        .exclude(status=PasSubscription.Status.OFF)
        .select_related("organization")
    )
