"""Writes to the provider directory (issue 20, item 1): locations with their ZIP centroid,
network periods, and the CSV load.

A location's latitude/longitude are always the centroid of its ZIP from the `zipcodes`
package's data (cases.zipgeo), set here whenever a location is saved, so the admin, the CSV
load and the demo seed agree; a ZIP not in that data leaves them empty (the location is
listed without distance, last).
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from um_portal.exceptions import ValidationFailed

from ..models import NetworkParticipation, PracticeLocation, PractitionerLocation
from ..zipgeo import zip_centroid


def location_geocode(*, location: PracticeLocation) -> bool:
    """Set the location's coordinates from its ZIP (not saved); True if the ZIP is known."""
    centroid = zip_centroid(location.zip_code)
    location.latitude, location.longitude = centroid if centroid else (None, None)
    return centroid is not None


def location_save(*, location: PracticeLocation) -> PracticeLocation:
    """Check and save a location with the centroid of its ZIP. ValidationFailed if invalid."""
    location_geocode(location=location)
    try:
        location.full_clean(validate_unique=True)
    except ValidationError as error:
        errors = {k: [str(m) for m in v] for k, v in error.message_dict.items()}
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors) from None
    location.save()
    return location


@transaction.atomic
def network_period_add(
    *,
    status: str,
    effective_date: date,
    organization=None,
    practitioner=None,
    end_date: date | None = None,
    line_of_business: str = "",
    note: str = "",
) -> NetworkParticipation:
    """Record a network status for a period. Periods of one provider and line of business
    may not overlap (the status on a day must be one answer); ValidationFailed if they do."""
    period = NetworkParticipation(
        organization=organization,
        practitioner=practitioner,
        status=status,
        effective_date=effective_date,
        end_date=end_date,
        line_of_business=line_of_business,
        note=note,
    )
    network_period_check(period=period)
    period.save()
    return period


def network_period_check(*, period: NetworkParticipation) -> None:
    """ValidationFailed unless the period is well formed and overlaps no other period of the
    same provider and line of business. Locks the provider's periods (call in a transaction)."""
    try:
        period.full_clean()
    except ValidationError as error:
        errors = {k: [str(m) for m in v] for k, v in error.message_dict.items()}
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors) from None
    if (period.organization_id is None) == (period.practitioner_id is None):
        raise ValidationFailed("A network period belongs to an organization or to a practitioner, not both.")
    if period.end_date and period.end_date < period.effective_date:
        raise ValidationFailed("The end date is before the effective date.", errors={"end_date": ["Before start."]})
    same = NetworkParticipation.objects.filter(
        organization_id=period.organization_id,
        practitioner_id=period.practitioner_id,
        line_of_business=period.line_of_business,
    ).exclude(pk=period.pk)
    others = list(same.select_for_update().order_by("pk"))
    for other in others:
        starts_before_other_ends = other.end_date is None or period.effective_date <= other.end_date
        ends_after_other_starts = period.end_date is None or other.effective_date <= period.end_date
        if starts_before_other_ends and ends_after_other_starts:
            until = other.end_date.isoformat() if other.end_date else "open-ended"
            message = (
                f"Overlaps the {other.get_status_display().lower()} period from "
                f"{other.effective_date.isoformat()} ({until}): end that one first."
            )
            raise ValidationFailed(message, code="overlap", errors={"effective_date": [message]})


def practitioner_location_set(
    *, practitioner, location: PracticeLocation, accepting_new_patients: bool = True
) -> PractitionerLocation:
    site, _ = PractitionerLocation.objects.update_or_create(
        practitioner=practitioner, location=location, defaults={"accepting_new_patients": accepting_new_patients}
    )
    return site


@dataclass
class RejectedRow:
    line: int
    reason: str
    row: dict


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.created + self.updated
