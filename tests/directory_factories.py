"""Helpers for provider-directory tests (issue 20): cardiologists and imaging centers at
ZIPs, in or out of network. Synthetic values only."""

from datetime import date

from cases.models import NetworkParticipation, PracticeLocation, Specialty
from cases.services.directory import location_save, practitioner_location_set

from .factories import OrganizationFactory, PractitionerFactory

CARDIOLOGY = "207RC0000X"
IN_NETWORK_FROM = date(2020, 1, 1)


def location_at(organization, zip_code: str, *, code: str | None = None, **fields) -> PracticeLocation:
    location = PracticeLocation(
        organization=organization,
        code=code or f"site-{zip_code}-{PracticeLocation.objects.count()}",
        address_line1=fields.pop("address_line1", "1 Test Way"),
        city=fields.pop("city", "Testville"),
        state=fields.pop("state", "MD"),
        zip_code=zip_code,
        phone=fields.pop("phone", "410-555-0100"),
        **fields,
    )
    return location_save(location=location)


def network(provider, status: str = "contracted", *, effective_date=IN_NETWORK_FROM, **fields):
    key = "practitioner" if hasattr(provider, "first_name") else "organization"
    return NetworkParticipation.objects.create(
        **{key: provider}, status=status, effective_date=effective_date, **fields
    )


def cardiologist_at(zip_code: str, *, status: str | None = "contracted", organization=None, **fields):
    """A cardiologist (NUCC 207RC0000X) seeing patients at a new location in `zip_code`;
    with `status`, their organization has that network status from 2020."""
    organization = organization or OrganizationFactory(name=fields.pop("organization_name", f"Heart {zip_code}"))
    practitioner = PractitionerFactory(organization=organization, specialty="Cardiology", **fields)
    practitioner.specialties.add(Specialty.objects.get(code=CARDIOLOGY))
    location = location_at(organization, zip_code)
    practitioner_location_set(practitioner=practitioner, location=location)
    if status:
        network(organization, status)
    return practitioner, location
