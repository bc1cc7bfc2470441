"""Case reads used in more than one place, with their joins built in.
Scope them with `cases.access.cases_visible_to(user, queryset)`."""

from django.db.models import Prefetch

from .models import AuthorizationRequest, CaseEvent


def case_list_queryset():
    """What a list row needs, in one query."""
    return AuthorizationRequest.objects.select_related(
        "member",
        "coverage",
        "requesting_organization",
        "requesting_practitioner",
        "servicing_organization",
        "servicing_practitioner",
        "assigned_to",
    )


def case_detail_queryset():
    """Everything the case page and the API detail show, in a fixed number of queries."""
    from reviews.models import Decision

    return (
        case_list_queryset()
        .prefetch_related(
            "diagnoses",
            "lines",
            "attachments",
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch(
                "decisions",
                queryset=Decision.objects.filter(is_current=True)
                .select_related("decided_by", "license")
                .prefetch_related("criteria__criteria_set"),
                to_attr="current_decisions",
            ),
            "pends",
            "appeals",
            "letters",
            "peer_to_peers",
        )
        .select_related("extension")
    )


def provider_label(organization, practitioner) -> dict:
    """`{"npi", "name"}` for the practitioner if there is one, else the organization."""
    if practitioner is not None:
        return {"npi": practitioner.npi, "name": practitioner.name}
    return {"npi": organization.npi, "name": organization.name}
