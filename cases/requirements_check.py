"""The intake page's warning before a needless submission: when the plan publishes its
prior-authorization list and none of the request's services is on it for this member's
line of business, state, place of service and the servicing provider's network status."""

from datetime import date

from criteria.models import CoverageRequirement
from criteria.selectors_requirements import NOT_REQUIRED, coverage_requirement_answer, requirements_in_force

from .selectors import member_find, npi_resolve
from .services.intake import coverage_on


def network_status_of(organization, day: date) -> str:
    """In network when a provider agreement is in force on `day`."""
    if organization is None:
        return ""
    return "in_network" if any(a.is_active_on(day) for a in organization.agreements.all()) else "out_of_network"


def needless_request_warning(
    *, member_number: str, member_date_of_birth, servicing_provider_npi: str, place_of_service: str, lines: list[dict]
) -> str | None:
    """A sentence for the page when no line needs prior authorization; None otherwise
    (also when the member or dates are unknown: the intake service reports those)."""
    dated = [line for line in lines if isinstance(line.get("start_date"), date) and line.get("code")]
    if not dated:
        return None
    first_day = min(line["start_date"] for line in dated)
    if not CoverageRequirement.objects.exists():
        return None  # The plan publishes no list: nothing to compare against.
    candidates = list(requirements_in_force(on=first_day))
    member = member_find(member_number=member_number, date_of_birth=member_date_of_birth)
    coverage = coverage_on(member=member, day=first_day) if member is not None else None
    if coverage is None:
        return None
    organization, _practitioner = npi_resolve((servicing_provider_npi or "").strip())
    network = network_status_of(organization, first_day)
    codes = []
    for line in dated:
        code = line["code"].strip().upper()
        answer = coverage_requirement_answer(
            code=code,
            on=line["start_date"],
            line_of_business=coverage.line_of_business,
            state=coverage.state,
            place_of_service=place_of_service or "",
            network_status=network,
            candidates=candidates if line["start_date"] == first_day else None,
        )
        if answer.status != NOT_REQUIRED:
            return None
        codes.append(code)
    return (
        f"{', '.join(codes)} {'does' if len(codes) == 1 else 'do'} not need prior authorization for this member's "
        f"plan ({coverage.get_line_of_business_display()}, {coverage.state}) on these dates. You do not need to "
        "submit this request. Tick the box below and submit again only if you want a decision anyway."
    )
