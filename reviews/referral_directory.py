"""What referral management reads from the provider directory (issue 20, items 1-2: the
`cases` app's network status, specialties and referral options): the only module here
that knows the directory's shape, so the services, queue and pages read one small
interface."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from cases.models import AuthorizationRequest, ServiceCategory
from cases.selectors_directory import network_status_on, referral_options
from um_portal.exceptions import ValidationFailed

OUT_OF_NETWORK = "out_of_network"
# The nurse's list beside the case: the nearest few, as the office's request form shows them.
ALTERNATIVES_SHOWN = 5
# A proposal must be one of the options the nurse could see (and a few more).
PROPOSABLE = 25


@dataclass(frozen=True)
class Option:
    organization_id: int
    practitioner_id: int | None
    name: str
    detail: str
    network: str
    distance_miles: Decimal | None
    phone: str
    accepting_new_patients: bool | None
    organization_npi: str
    practitioner_npi: str


def is_referral(case: AuthorizationRequest) -> bool:
    return (
        case.kind == AuthorizationRequest.Kind.REFERRAL or case.service_category == ServiceCategory.SPECIALTY_REFERRAL
    )


def _line_of_business(case) -> str | None:
    return case.coverage.line_of_business if case.coverage_id else None


def case_network_status(case: AuthorizationRequest) -> str:
    """The servicing provider's network status (the directory's rule: the practitioner's
    own period, else the organization's, else out of network) on the day of receipt, for
    the member's line of business."""
    return network_status_on(
        organization=case.servicing_organization,
        practitioner=case.servicing_practitioner,
        line_of_business=_line_of_business(case),
        on=timezone.localdate(case.received_at),
    )


def case_specialty(case: AuthorizationRequest) -> tuple[str, str]:
    """(NUCC code, name) of the referral: the servicing practitioner's first specialty;
    without one, ("", the practitioner's specialty in words)."""
    practitioner = case.servicing_practitioner
    if practitioner is None:
        return "", ""
    specialty = practitioner.specialties.order_by("display_name", "code").first()
    if specialty is None:
        return "", practitioner.specialty
    return specialty.code, specialty.display_name


def _service_code(case) -> str | None:
    for line in case.lines.all():
        if line.code_system in ("CPT", "HCPCS") and not line.cancelled_at:
            return line.code
    return None


def case_alternatives(case: AuthorizationRequest, *, limit: int = ALTERNATIVES_SHOWN) -> list[Option]:
    """In-network options for the referral's specialty (or, without one, its first service
    code) near the member's ZIP, nearest first, for the member's line of business today.
    None found, or nothing to search by: an empty list (the page says so)."""
    code, _name = case_specialty(case)
    service = None if code else _service_code(case)
    if not code and not service:
        return []
    try:
        found = referral_options(
            specialty=code or None,
            service_code=service,
            member=case.member,
            line_of_business=_line_of_business(case),
            limit=limit,
        )
    except ValidationFailed:
        return []
    options = []
    for o in found:
        name = f"{o.practitioner_name}, {o.organization_name}" if o.practitioner_name else o.organization_name
        accepting = "accepting new patients" if o.accepting_new_patients else "not accepting new patients"
        options.append(
            Option(
                organization_id=o.organization_id,
                practitioner_id=o.practitioner_id,
                name=name,
                detail=" · ".join(p for p in (o.address, o.phone, accepting) if p),
                network=o.network,
                distance_miles=None if o.distance_miles is None else Decimal(str(o.distance_miles)),
                phone=o.phone,
                accepting_new_patients=o.accepting_new_patients,
                organization_npi=o.organization_npi,
                practitioner_npi=o.practitioner_npi or "",
            )
        )
    return options


def option_resolve(case: AuthorizationRequest, *, organization_npi: str, practitioner_npi: str = "") -> Option:
    """The in-network option a nurse proposes, by NPI; 400 when it is not an in-network
    option for this referral (unknown, out of network, another specialty)."""
    if not organization_npi:
        raise ValidationFailed(
            "Choose the in-network option to propose.", errors={"organization_npi": ["This field is required."]}
        )
    for option in case_alternatives(case, limit=PROPOSABLE):
        if option.organization_npi == organization_npi and (
            not practitioner_npi or option.practitioner_npi == practitioner_npi
        ):
            return option
    raise ValidationFailed(
        "Propose one of the in-network options listed for this referral.",
        errors={"organization_npi": ["Not an in-network option for this referral's specialty."]},
    )
