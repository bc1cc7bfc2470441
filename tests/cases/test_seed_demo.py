import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases.models import AuthorizationRequest, CaseStatus, Coverage, InpatientStay, Member
from reviews.models import PhysicianLicense
from um_portal.models import User
from um_portal.roles import Perm, Role, user_can, user_role

DEMO_ROLES = {
    "admin": Role.ADMIN,
    "nurse": Role.NURSE,
    "nurse2": Role.NURSE,
    "supervisor": Role.NURSE,
    "referrals": Role.NURSE,
    "physician": Role.PHYSICIAN,
    "physician2": Role.PHYSICIAN,
    "physician_ca": Role.PHYSICIAN,
    "provider": Role.PROVIDER,
    "provider2": Role.PROVIDER,
}


def _counts():
    return (
        User.objects.count(),
        Member.objects.count(),
        Coverage.objects.count(),
        AuthorizationRequest.objects.count(),
        PhysicianLicense.objects.count(),
        InpatientStay.objects.count(),
    )


@pytest.mark.django_db
def test_seed_demo_refuses_with_debug_off():
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_creates_the_documented_logins(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-test-password")
    call_command("seed_demo", force=True)
    first = _counts()
    call_command("seed_demo", force=True)
    assert _counts() == first

    for username, role in DEMO_ROLES.items():
        user = authenticate(username=username, password="demo-test-password")
        assert user is not None, username
        assert user_role(user) == role
    supervisors = [u for u in User.objects.order_by("username") if user_can(u, Perm.CASE_REASSIGN_BULK)]
    assert [u.username for u in supervisors] == ["supervisor"]
    unit = [u.username for u in User.objects.order_by("username") if user_can(u, Perm.REFERRAL_MANAGE)]
    assert unit == ["referrals"]
    assert User.objects.get(username="provider").organization.kind == "practice"
    assert User.objects.get(username="provider2").organization.kind == "imaging"
    assert set(PhysicianLicense.objects.filter(physician__username="physician").values_list("state", flat=True)) == {
        "MD",
        "VA",
        "DC",
    }
    assert list(
        PhysicianLicense.objects.filter(physician__username="physician_ca").values_list("state", flat=True)
    ) == ["CA"]


@pytest.mark.django_db
def test_seed_demo_covers_every_line_of_business_and_state(monkeypatch):
    call_command("seed_demo", force=True)
    md_lobs = set(Coverage.objects.filter(state="MD").values_list("line_of_business", flat=True))
    assert md_lobs == {"commercial", "medicare_advantage", "medicaid", "chip"}
    assert Coverage.objects.filter(state="CA", line_of_business="commercial").exists()
    assert Coverage.objects.filter(state="VA", line_of_business="commercial").exists()
    assert Coverage.objects.filter(end_date__isnull=False).exists()
    assert InpatientStay.objects.filter(discharged_at__isnull=True, facility__kind="hospital").count() >= 2
    # Two stays opened by approved admissions, due for concurrent review today (issue 19).
    assert InpatientStay.objects.filter(case__isnull=False, next_review_on=timezone.localdate()).count() == 2
    statuses = set(AuthorizationRequest.objects.values_list("status", flat=True))
    assert statuses >= {
        CaseStatus.RECEIVED,
        CaseStatus.IN_REVIEW,
        CaseStatus.PENDED,
        CaseStatus.PHYSICIAN_REVIEW,
        CaseStatus.APPROVED,
        CaseStatus.DENIED,
    }
    assert AuthorizationRequest.objects.count() >= 24


@pytest.mark.django_db
def test_seed_demo_adverse_decisions_carry_a_worksheet_so_their_letters_are_not_held(monkeypatch):
    from notifications.services.letters import letters_generate_for_event
    from reviews.models import Decision
    from reviews.selectors_worksheet import decision_findings

    monkeypatch.setenv("DEMO_PASSWORD", "demo-test-password")
    call_command("seed_demo", force=True)

    adverse = Decision.objects.filter(basis="medical_necessity", is_current=True)
    assert adverse.exists()
    for decision in adverse:
        assert decision_findings(decision).unmet, decision.case.reference
    event = adverse.first().case.events.get(kind="decision_recorded")
    assert all(not letter.missing for letter in letters_generate_for_event(event_id=event.pk))


@pytest.mark.django_db
def test_seed_demo_contracted_practices_are_in_network_and_only_the_out_of_network_referral_is_queued():
    from cases.demo_data import ORGANIZATIONS
    from cases.models import ProviderOrganization
    from cases.selectors_directory import network_status_on
    from reviews.models import ReferralReview

    call_command("seed_demo", force=True)

    today = timezone.localdate()
    status = {
        key: network_status_on(
            organization=ProviderOrganization.objects.get(npi=npi), practitioner=None, line_of_business=None, on=today
        )
        for key, _name, npi, *_rest in ORGANIZATIONS
    }
    assert status == {
        "ortho": "contracted", "surgery": "contracted", "imaging": "contracted", "hospital": "contracted",
        "dme": "contracted", "lapsed": "out_of_network",  # its agreement ended 2025-06-30, and its period with it
    }  # fmt: skip
    queued = ReferralReview.objects.filter(status__in=ReferralReview.QUEUED)
    assert [r.case.servicing_practitioner.npi for r in queued] == ["1300000084"]  # Dr. Crane, Severn Valley
    ortho_referrals = AuthorizationRequest.objects.filter(
        service_category="specialty_referral", servicing_organization__npi="1122334455"
    )
    assert ortho_referrals.exists()
    assert not ReferralReview.objects.filter(case__in=ortho_referrals).exists()
