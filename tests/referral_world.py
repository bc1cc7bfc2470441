"""A referral management world for tests (issue 20): a member in Baltimore (21201), an
out-of-network cardiologist in Annapolis (21401), two in-network cardiologists nearer
(21202 contracted, 21218 plan medical center), a nurse of the Referral Management Unit,
and the referral from the orthopedic office of `tests/conftest.py`. Synthetic values only."""

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from cases.services.intake import case_create
from reviews.services.referrals import referral_review_open
from um_portal.roles import REFERRAL_UNIT_GROUP, user_unit_set

from .directory_factories import cardiologist_at
from .factories import AgreementFactory, CoverageFactory, MemberFactory


def unit_member(user):
    user_unit_set(user=user, unit=REFERRAL_UNIT_GROUP)
    return user


def cardiologists() -> SimpleNamespace:
    far, _ = cardiologist_at("21401", status=None, organization_name="Bay Heart Out-of-Network", last_name="Faraway")
    near, _ = cardiologist_at("21202", organization_name="Harbor Heart Center", last_name="Nearby")
    center, _ = cardiologist_at(
        "21218", status="plan_medical_center", organization_name="Plan Medical Center Cardiology", last_name="Closeby"
    )
    # Each holds a provider agreement (the intake takes requests to it); only the directory's
    # network periods say who is in network, and the far one has none: out of network.
    for practitioner in (far, near, center):
        AgreementFactory(organization=practitioner.organization)
    return SimpleNamespace(far=far, near=near, center=center)


def referral_to(
    practitioner,
    *,
    ortho,
    surgeon,
    diagnoses=("I25.10",),
    code="99204",
    description="New patient cardiology consultation",
    member=None,
    open_review=True,
    **fields,
):
    """A cardiology referral from the orthopedic office to `practitioner`, put in the unit's
    queue as the intake would (`open_review`)."""
    if member is None:
        member = MemberFactory(postal_code="21201", city="Baltimore", state="MD")
        CoverageFactory(member=member)
    start = timezone.localdate() + timedelta(days=14)
    case = case_create(
        member=member, requesting_organization=ortho, requesting_practitioner=surgeon,
        servicing_organization=practitioner.organization, servicing_practitioner=practitioner,
        service_category="specialty_referral", diagnosis_codes=list(diagnoses),
        lines=[{"code_system": "CPT", "code": code, "units": 1, "start_date": start, "end_date": start,
                "description": description}],
        clinical_summary="Synthetic: chest pain on exertion; seen by this cardiologist for years.", **fields,
    )  # fmt: skip
    if open_review:
        referral_review_open(case=case)
    return case
