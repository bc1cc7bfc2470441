"""Identifier mapping: who a PAS request is about and who sent it, in the portal's terms.

The member is found by the subscriber or member id on the Coverage and the Patient's
identifiers (the date of birth is compared when the Patient gives one, never required);
providers by NPI (`cases.selectors.npi_resolve`); the insurer, when it carries an NPI, must
be this plan (`PAS_PAYER_IDENTIFIERS`)."""

from django.conf import settings

from cases.models import Member

from .outcomes import FhirError
from .parsing import NPI_SYSTEM, PasRequest


def member_for_request(request: PasRequest, *, required: bool = True) -> Member | None:
    members = Member.objects.filter(member_number__in=request.member_ids)
    if request.birth_date is not None:
        members = members.filter(date_of_birth=request.birth_date)
    found = list(members[:2])
    if len(found) == 1:
        return found[0]
    if not required:
        return None
    if not found:
        raise FhirError(
            "No member matches the Coverage subscriber or member id, or the Patient's identifiers"
            + (" and date of birth." if request.birth_date else "."),
            code="not-found",
            expression="Claim.insurance.coverage",
        )
    raise FhirError(
        "The Coverage and Patient identifiers name more than one member; send the member id on the card only.",
        code="business-rule",
        expression="Claim.insurance.coverage",
    )


def insurer_check(request: PasRequest) -> None:
    """A request addressed to another payer is refused (when the insurer has an NPI and the
    plan's identifiers are configured)."""
    ours = set(settings.PAS_PAYER_IDENTIFIERS)
    if not ours:
        return
    insurer = request.entries[request.insurer_url]
    theirs = {i.get("value") for i in insurer.get("identifier") or [] if i.get("system") == NPI_SYSTEM}
    if theirs and not theirs & ours:
        raise FhirError(
            f"The Claim is addressed to another payer (insurer NPI {', '.join(sorted(theirs))}).",
            code="business-rule",
            expression="Claim.insurer",
        )


def submitter_key(user) -> str:
    """Resends and inquiries are scoped to whoever sent the request: the provider's
    organization, or the staff user entering for others."""
    organization_id = getattr(user, "organization_id", None)
    return f"org:{organization_id}" if organization_id else f"user:{user.pk}"
