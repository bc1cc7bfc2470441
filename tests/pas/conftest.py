"""HL7's published PAS examples (../shared/fixtures/pas/), with member, provider and
insurer identifiers mapped to test data and nothing else changed.

The examples date their services in 2005 and 2020: the member's coverage and the office's
agreement here run from 2000, so eligibility and contracting hold on those dates."""

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from cases.services.providers import provider_user_attach
from tests.factories import (
    AgreementFactory,
    CoverageFactory,
    MemberFactory,
    OrganizationFactory,
    PractitionerFactory,
    UserFactory,
    valid_npi,
)

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "pas"
if not FIXTURES.is_dir():  # the repository checked out elsewhere than /work/<tree>
    FIXTURES = Path("/work/shared/fixtures/pas")
PAYER_NPI = valid_npi(99001)
SUBMIT_EXAMPLES = [
    "Bundle-HomecareAuthorizationBundleExample.json",
    "Bundle-MedicalServicesAuthorizationBundleExample.json",
    "Bundle-ReferralAuthorizationBundleExample.json",
    "Bundle-SurgicalRequestBundleExample.json",
]
SUBMIT = "/fhir/Claim/$submit"
INQUIRE = "/fhir/Claim/$inquire"


def example(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text())


def identifiers_mapped(bundle: dict, *, member_number: str, office_npi: str, practitioner_npi: str) -> dict:
    """The example with its identifiers replaced by ours: the Patient's identifiers and the
    Coverage's subscriber id by the member number, the insurer's NPI by the plan's, the
    requesting Organization's by the office's, every Practitioner's by the practitioner's."""
    bundle = copy.deepcopy(bundle)
    for entry in bundle.get("entry") or []:
        resource = entry["resource"]
        _map_resource(resource, member_number, office_npi, practitioner_npi)
    return bundle


def _map_resource(resource: dict, member_number: str, office_npi: str, practitioner_npi: str) -> None:
    kind = resource.get("resourceType")
    if kind == "Patient":
        for identifier in resource.get("identifier") or []:
            identifier["value"] = member_number
    elif kind == "Coverage":
        resource["subscriberId"] = member_number
    elif kind in ("Organization", "Practitioner"):
        is_payer = any(c.get("code") == "PR" for t in resource.get("type") or [] for c in t.get("coding") or [])
        npi = PAYER_NPI if is_payer else office_npi if kind == "Organization" else practitioner_npi
        for identifier in resource.get("identifier") or []:
            if identifier.get("system") == "http://hl7.org/fhir/sid/us-npi":
                identifier["value"] = npi
    elif kind == "Claim":  # an update Bundle carries the earlier Claim
        return


@pytest.fixture(autouse=True)
def _payer(settings):
    settings.PAS_PAYER_IDENTIFIERS = [PAYER_NPI]


@pytest.fixture
def office(db):
    org = OrganizationFactory(name="Smith Medical Corporation")
    AgreementFactory(organization=org, effective_date=date(2000, 1, 1))
    return org


@pytest.fixture
def office_practitioner(office):
    return PractitionerFactory(organization=office, last_name="Watson")


@pytest.fixture
def office_user(office):
    user = UserFactory(username="ehr-office", first_name="Ehr", last_name="Office")
    provider_user_attach(user=user, organization=office)
    return user


@pytest.fixture
def pas_member(db):
    member = MemberFactory(member_number="M300001", first_name="Joe", last_name="Smith")
    CoverageFactory(member=member, effective_date=date(2000, 1, 1), premium_paid_through=date(2030, 12, 31))
    return member


@pytest.fixture
def mapped(pas_member, office, office_practitioner):
    """`mapped(name)`: the example named, identifiers mapped."""

    def _mapped(name: str) -> dict:
        return identifiers_mapped(
            example(name),
            member_number=pas_member.member_number,
            office_npi=office.npi,
            practitioner_npi=office_practitioner.npi,
        )

    return _mapped
