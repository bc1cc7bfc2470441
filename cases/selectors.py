"""Case reads used in more than one place, with their joins built in.
Scope them with `cases.access.cases_visible_to(user, queryset)`."""

from .models import AuthorizationRequest


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


def provider_label(organization, practitioner) -> dict:
    """`{"npi", "name"}` for the practitioner if there is one, else the organization."""
    if practitioner is not None:
        return {"npi": practitioner.npi, "name": practitioner.name}
    return {"npi": organization.npi, "name": organization.name}


def member_find(*, member_number: str, date_of_birth):
    """The member with this number and date of birth (both must match), or None."""
    from .models import Member

    if not member_number or date_of_birth is None:
        return None
    return (
        Member.objects.filter(member_number=member_number.strip().upper(), date_of_birth=date_of_birth)
        .prefetch_related("coverages")
        .first()
    )


def member_eligibility(*, member, day) -> dict:
    """Eligibility of `member` on `day`, from prefetched coverages: the coverage in force,
    or (when not covered) the most recent one, so the caller sees when it ended."""
    coverages = sorted(member.coverages.all(), key=lambda c: c.effective_date, reverse=True)
    active = next((c for c in coverages if c.is_active_on(day)), None)
    shown = active or next((c for c in coverages if c.effective_date <= day), None) or (coverages or [None])[0]
    return {
        "eligible": active is not None,
        "on": day,
        "plan": shown.plan_name if shown else None,
        "line_of_business": shown.line_of_business if shown else None,
        "line_of_business_label": shown.get_line_of_business_display() if shown else None,
        "state": shown.state if shown else None,
        "coverage_start": shown.effective_date if shown else None,
        "coverage_end": shown.end_date if shown else None,
    }


def npi_resolve(npi: str):
    """(organization, practitioner or None) for a practitioner NPI or an organization NPI;
    (None, None) when the NPI is unknown."""
    from .models import Practitioner, ProviderOrganization

    practitioner = Practitioner.objects.select_related("organization").filter(npi=npi).first()
    if practitioner is not None:
        return practitioner.organization, practitioner
    return ProviderOrganization.objects.filter(npi=npi).first(), None


def case_id_for_reference(reference: str):
    """The id of the case with this reference (any case), or None. The audit page filters
    the access log's object ids by it: resolved in Python (one query) so the match is the
    same on PostgreSQL and SQLite, which store UUIDs differently."""
    return AuthorizationRequest.objects.filter(reference__iexact=reference.strip()).values_list("pk", flat=True).first()


def case_references(ids) -> dict[str, str]:
    """{case id: reference} for these case ids (as strings), in one query."""
    if not ids:
        return {}
    return {
        str(pk): reference
        for pk, reference in AuthorizationRequest.objects.filter(pk__in=ids).values_list("pk", "reference")
    }
