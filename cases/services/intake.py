"""Creating a case. `case_create` is the low-level write every intake door ends in
(portal form, API, FHIR, staff entry, continuation of care, demo data); the provider
intake checks sit in front of it."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from um_portal.exceptions import ValidationFailed

from .. import events
from ..models import (
    AuthorizationRequest,
    CaseStatus,
    Channel,
    Coverage,
    Diagnosis,
    Member,
    Practitioner,
    ProviderOrganization,
    ReferenceSequence,
    ServiceLine,
)
from ..validators import normalize_icd10, validate_icd10_cm, validate_procedure_code
from .providers import case_grant_organization_access


def reference_next(*, year: int) -> str:
    """The next human reference for `year`, e.g. UM-2026-000123 (inside a transaction)."""
    for _attempt in range(2):
        touched = ReferenceSequence.objects.filter(year=year).update(last_number=F("last_number") + 1)
        if touched:
            break
        try:
            with transaction.atomic():
                ReferenceSequence.objects.create(year=year, last_number=1)
            break
        except IntegrityError:
            continue  # Someone created the year's row first: increment it.
    number = ReferenceSequence.objects.get(year=year).last_number
    return f"UM-{year}-{number:06d}"


def coverage_on(*, member: Member, day) -> Coverage | None:
    return (
        member.coverages.filter(effective_date__lte=day).exclude(end_date__lt=day).order_by("-effective_date").first()
    )


def _clean_codes(diagnosis_codes: list[str], lines: list[dict]) -> tuple[list[str], list[dict]]:
    errors: dict[str, list[str]] = {}
    clean_dx = []
    for code in diagnosis_codes:
        normalized = normalize_icd10(code)
        try:
            validate_icd10_cm(normalized)
        except ValidationError as exc:
            errors.setdefault("diagnosis_codes", []).extend(exc.messages)
        clean_dx.append(normalized)
    if not clean_dx:
        errors.setdefault("diagnosis_codes", []).append("Give at least one diagnosis code.")
    clean_lines = []
    for index, line in enumerate(lines):
        system = (line.get("code_system") or "").upper()
        code = (line.get("code") or "").strip().upper()
        try:
            validate_procedure_code(system, code)
        except ValidationError as exc:
            errors.setdefault("lines", []).extend(f"Line {index + 1}: {m}" for m in exc.messages)
        if line["end_date"] < line["start_date"]:
            errors.setdefault("lines", []).append(f"Line {index + 1}: the end date is before the start date.")
        if int(line.get("units") or 0) < 1:
            errors.setdefault("lines", []).append(f"Line {index + 1}: units must be at least 1.")
        clean_lines.append({**line, "code_system": system, "code": code})
    if not clean_lines:
        errors.setdefault("lines", []).append("Give at least one service line.")
    if errors:
        raise ValidationFailed("The request has invalid codes or lines.", errors=errors)
    return clean_dx, clean_lines


@transaction.atomic
def case_create(
    *,
    member: Member,
    requesting_organization: ProviderOrganization,
    servicing_organization: ProviderOrganization,
    service_category: str,
    diagnosis_codes: list[str],
    lines: list[dict],
    requesting_practitioner: Practitioner | None = None,
    servicing_practitioner: Practitioner | None = None,
    review_type: str = "prospective",
    urgency: str = "standard",
    expedited_reason: str = "",
    clinical_summary: str = "",
    place_of_service: str = "",
    channel: str = Channel.PORTAL,
    received_at: datetime | None = None,
    submitted_by=None,
    kind: str = AuthorizationRequest.Kind.PRIOR_AUTHORIZATION,
    coverage: Coverage | None = None,
) -> AuthorizationRequest:
    """Create a case with its diagnoses and lines, give it a reference and its due time at
    once, grant the provider organizations access, and write the events."""
    from reviews.services.clocks import case_clock_fields_set

    clean_dx, clean_lines = _clean_codes(diagnosis_codes, lines)
    received_at = received_at or timezone.now()
    first_day = min(line["start_date"] for line in clean_lines)
    case = AuthorizationRequest(
        reference=reference_next(year=timezone.localtime(received_at).year),
        kind=kind,
        member=member,
        coverage=coverage or coverage_on(member=member, day=first_day),
        requesting_organization=requesting_organization,
        requesting_practitioner=requesting_practitioner,
        servicing_organization=servicing_organization,
        servicing_practitioner=servicing_practitioner,
        service_category=service_category,
        review_type=review_type,
        urgency=urgency,
        expedited_reason=expedited_reason,
        clinical_summary=clinical_summary,
        place_of_service=place_of_service,
        channel=channel,
        status=CaseStatus.RECEIVED,
        received_at=received_at,
        submitted_by=submitted_by,
    )
    # The clock engine reads the diagnoses (Maryland's behavioral-health emergency rule)
    # before they are saved; it sets the due time, breakdown and next alert.
    case.diagnosis_codes = clean_dx
    case_clock_fields_set(case=case)
    case.save(force_insert=True)
    Diagnosis.objects.bulk_create([Diagnosis(case=case, sequence=i + 1, code=code) for i, code in enumerate(clean_dx)])
    ServiceLine.objects.bulk_create(
        [
            ServiceLine(
                case=case,
                line_number=i + 1,
                code_system=line["code_system"],
                code=line["code"],
                description=line.get("description", ""),
                units=int(line["units"]),
                start_date=line["start_date"],
                end_date=line["end_date"],
            )
            for i, line in enumerate(clean_lines)
        ]
    )
    case_grant_organization_access(case=case)
    events.event_submitted(case=case, actor=submitted_by, channel=channel)
    events.event_clock_set(
        case=case, actor=None, old_due=None, new_due=case.decision_due_at, reason="Decision due time set on receipt."
    )
    return case
