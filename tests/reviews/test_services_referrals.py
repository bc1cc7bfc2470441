"""Referral management services (issue 20, item 3) on PostgreSQL: an out-of-network referral
lands in the unit's queue; the nurse proposes an in-network redirection, the office accepts
(the servicing provider changes, the member is told) or declines with a reason, and the nurse
approves out of network for a recorded reason (the member's letter speaks of cost sharing)."""

import pytest
from django.db import connection

from cases.models import AuthorizationRequest, CaseEvent
from cases.services.intake import authorization_submit
from notifications.services.letters import letters_generate_for_event
from reviews.models import Decision, RedirectionOffer, ReferralReview
from reviews.services import referrals
from tests.notifications.conftest import pdf_text, squash
from tests.referral_world import cardiologists, referral_to, unit_member
from um_portal.exceptions import Conflict, NotAllowed, NotFound, ValidationFailed

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
K = CaseEvent.Kind


@pytest.fixture
def heart(db):
    return cardiologists()


@pytest.fixture
def unit_nurse(nurse):
    return unit_member(nurse)


@pytest.fixture
def referral(heart, ortho, surgeon):
    return referral_to(heart.far, ortho=ortho, surgeon=surgeon)


def _kinds(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("at", "id").values_list("kind", flat=True))


def _letter_text(letter) -> str:
    with letter.pdf.open("rb") as f:
        return squash(pdf_text(f.read()))


def test_an_out_of_network_referral_lands_in_the_queue_with_the_nearer_in_network_options(referral, heart):
    review = ReferralReview.objects.get(case=referral)

    assert connection.vendor == "postgresql"
    assert (review.status, review.network_status, review.specialty) == ("open", "out_of_network", "207RC0000X")
    assert review.intent_flags == []  # I25.10 and a consultation fit cardiology
    assert K.REFERRAL_REVIEW_OPENED in _kinds(referral)
    names = [o.name for o in referrals.directory.case_alternatives(referral)]
    assert [n.split(",")[0].split()[-1] for n in names] == ["Nearby", "Closeby"]  # 21202, then 21218


def test_an_in_network_referral_or_another_request_does_not(heart, ortho, surgeon, make_case):
    in_network = referral_to(heart.near, ortho=ortho, surgeon=surgeon)
    procedure = make_case(servicing_organization=heart.far.organization)

    assert referrals.referral_review_open(case=procedure) is None
    assert not ReferralReview.objects.filter(case__in=[in_network, procedure]).exists()


def test_the_intake_puts_a_submitted_out_of_network_referral_in_the_queue(heart, provider, member):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.localdate() + timedelta(days=10)
    case = authorization_submit(
        user=provider, member_number=member.member_number, member_date_of_birth=member.date_of_birth,
        requesting_provider_npi=provider.organization.npi, servicing_provider_npi=heart.far.npi,
        service_category="specialty_referral", review_type="prospective", urgency="standard",
        diagnosis_codes=["L40.0"], lines=[{"code_system": "CPT", "code": "93306", "units": 1,
                                           "start_date": start, "end_date": start}],
        clinical_summary="Synthetic.",
    )  # fmt: skip

    review = ReferralReview.objects.get(case=case)
    assert [f["code"] for f in review.intent_flags] == ["specialty_diagnosis", "service_diagnosis"]
    assert AuthorizationRequest.objects.get(pk=case.pk).status == "received"  # flagged, never denied


def test_offer_then_accept_changes_the_servicing_provider_and_tells_the_member(
    referral, heart, unit_nurse, provider, django_capture_on_commit_callbacks
):
    offer = referrals.redirection_offer(
        case_id=referral.pk, actor=unit_nurse, organization_npi=heart.near.organization.npi,
        practitioner_npi=heart.near.npi, message="Dr. Nearby is 1 mile away and sees new patients this week.",
    )  # fmt: skip
    assert ReferralReview.objects.get(case=referral).status == "offered"
    # The referring office is told, in the portal (no PHI beyond the reference).
    from notifications.models import Notification
    from notifications.services.provider_notices import provider_notices_for_event

    offered = CaseEvent.objects.get(case=referral, kind=K.REDIRECTION_OFFERED)
    assert provider_notices_for_event(event_id=offered.pk) == 1
    notice = Notification.objects.get(user=provider, event=offered)
    assert notice.kind == "redirection_proposed" and referral.reference in notice.message

    accepted = referrals.redirection_accept(case=referral, user=provider)

    case = AuthorizationRequest.objects.get(pk=referral.pk)
    assert (case.servicing_organization_id, case.servicing_practitioner_id) == (
        heart.near.organization_id,
        heart.near.pk,
    )
    assert accepted.pk == offer.pk and accepted.status == "accepted"
    assert (accepted.previous_organization_id, accepted.previous_practitioner_id) == (
        heart.far.organization_id,
        heart.far.pk,
    )
    assert ReferralReview.objects.get(case=referral).status == "redirected"
    assert case.status == "received"  # the referral itself is still to be decided
    kinds = _kinds(referral)
    assert kinds[-2:] == [K.REDIRECTION_OFFERED, K.REDIRECTION_ACCEPTED]
    event = CaseEvent.objects.get(case=referral, kind=K.REDIRECTION_ACCEPTED)
    assert event.data["previous_servicing_practitioner_id"] == heart.far.pk

    letters = letters_generate_for_event(event_id=event.pk)

    assert [(x.kind, x.recipient, x.status) for x in letters] == [("referral_redirected", "member", "issued")]
    text = _letter_text(letters[0])
    for value in ("Nearby", "Harbor Heart Center", "Faraway", "in-network cost sharing", case.reference):
        assert squash(value) in text, value


def test_the_old_out_of_network_office_loses_sight_of_a_redirected_referral(referral, heart, unit_nurse, provider):
    from cases.access import cases_visible_to
    from cases.services.providers import provider_user_attach
    from tests.factories import UserFactory

    far_staff = UserFactory(username="far-staff")
    provider_user_attach(user=far_staff, organization=heart.far.organization)
    assert cases_visible_to(far_staff).filter(pk=referral.pk).exists()
    referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse, organization_npi=heart.near.organization.npi,
                                message="Closer.")  # fmt: skip

    referrals.redirection_accept(case=referral, user=provider)

    far_staff._um_role = "unset"
    assert not cases_visible_to(far_staff).filter(pk=referral.pk).exists()


def test_decline_with_a_reason_returns_it_to_the_nurse_who_approves_out_of_network(
    referral, heart, unit_nurse, provider
):
    referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse, organization_npi=heart.center.organization.npi,
                                message="The plan's own center can see the member next week.")  # fmt: skip

    declined = referrals.redirection_decline(
        case=referral, user=provider, reason="continuity_of_care", note="Followed by Dr. Faraway for 6 years."
    )
    decision = referrals.referral_approve_out_of_network(
        case_id=referral.pk, actor=unit_nurse, reason="continuity_of_care", note="Long-standing cardiologist."
    )

    assert (declined.status, declined.decline_reason) == ("declined", "continuity_of_care")
    review = ReferralReview.objects.get(case=referral)
    assert (review.status, review.approval_reason, review.decided_by_id) == (
        "approved_out_of_network",
        "continuity_of_care",
        unit_nurse.pk,
    )
    case = AuthorizationRequest.objects.get(pk=referral.pk)
    assert case.status == "approved" and case.servicing_practitioner_id == heart.far.pk
    assert decision.outcome == "approved" and "continuity of care" in decision.reason
    assert _kinds(referral)[-5:] == [
        K.REDIRECTION_OFFERED, K.REDIRECTION_DECLINED, K.STATUS_CHANGED, K.OUT_OF_NETWORK_APPROVED,
        K.DECISION_RECORDED,
    ]  # fmt: skip
    event = CaseEvent.objects.get(case=referral, kind=K.DECISION_RECORDED)
    assert event.data["out_of_network"] is True

    letters = {x.recipient: x for x in letters_generate_for_event(event_id=event.pk)}

    assert {r: (x.kind, x.status) for r, x in letters.items()} == {
        "member": ("out_of_network_approval", "issued"),
        "requesting_provider": ("approval", "issued"),
        "servicing_provider": ("approval", "issued"),
    }
    text = _letter_text(letters["member"])
    for value in ("This provider is not in our network", "continuity of care", "cost sharing", "may be higher"):
        assert squash(value) in text, value


def test_approve_as_requested_without_a_proposal(referral, unit_nurse):
    referrals.referral_approve_out_of_network(case_id=referral.pk, actor=unit_nurse, reason="availability")

    assert ReferralReview.objects.get(case=referral).status == "approved_out_of_network"
    assert Decision.objects.get(case=referral).outcome == "approved"


def test_a_nurse_outside_the_unit_and_a_provider_are_refused_and_nothing_is_written(referral, heart, nurse2, provider):
    before = _kinds(referral)
    with pytest.raises(NotAllowed):
        referrals.redirection_offer(case_id=referral.pk, actor=nurse2, organization_npi=heart.near.organization.npi,
                                    message="x")  # fmt: skip
    with pytest.raises(NotAllowed):
        referrals.referral_approve_out_of_network(case_id=referral.pk, actor=provider, reason="distance")
    assert _kinds(referral) == before and not RedirectionOffer.objects.exists()


def test_another_office_gets_404_and_the_servicing_office_403_on_a_proposal(referral, heart, unit_nurse, provider2):
    from cases.services.providers import provider_user_attach
    from tests.factories import UserFactory

    referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse, organization_npi=heart.near.organization.npi,
                                message="Closer.")  # fmt: skip
    far_staff = UserFactory(username="far-staff")
    provider_user_attach(user=far_staff, organization=heart.far.organization)
    before = _kinds(referral)

    with pytest.raises(NotFound):
        referrals.redirection_decline(case=referral, user=provider2, reason="distance")
    with pytest.raises(NotAllowed):
        referrals.redirection_accept(case=referral, user=far_staff)

    assert _kinds(referral) == before
    assert RedirectionOffer.objects.get(case=referral).status == "offered"


def test_bad_input_is_refused_with_a_message_and_nothing_written(referral, heart, unit_nurse, provider):
    with pytest.raises(ValidationFailed) as unknown:
        referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse, organization_npi="1234567893", message="x")
    with pytest.raises(ValidationFailed) as out_of_network:
        referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse,
                                    organization_npi=heart.far.organization.npi, message="x")  # fmt: skip
    with pytest.raises(ValidationFailed):
        referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse,
                                    organization_npi=heart.near.organization.npi, message="  ")  # fmt: skip
    with pytest.raises(ValidationFailed) as reason:
        referrals.referral_approve_out_of_network(case_id=referral.pk, actor=unit_nurse, reason="cheaper")
    with pytest.raises(ValidationFailed):
        referrals.referral_approve_out_of_network(case_id=referral.pk, actor=unit_nurse, reason="other", note="")

    assert "organization_npi" in unknown.value.errors and "organization_npi" in out_of_network.value.errors
    assert "continuity of care" in reason.value.message
    assert not RedirectionOffer.objects.exists()
    assert ReferralReview.objects.get(case=referral).status == "open"


def test_two_proposals_or_a_proposal_after_the_approval_are_409(referral, heart, unit_nurse, nurse2, provider):
    unit_member(nurse2)
    referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse, organization_npi=heart.near.organization.npi,
                                message="Closer.")  # fmt: skip

    with pytest.raises(Conflict):
        referrals.redirection_offer(case_id=referral.pk, actor=nurse2,
                                    organization_npi=heart.center.organization.npi, message="Also close.")  # fmt: skip
    with pytest.raises(Conflict):
        referrals.referral_approve_out_of_network(case_id=referral.pk, actor=nurse2, reason="distance")
    referrals.redirection_accept(case=referral, user=provider)
    with pytest.raises(Conflict):
        referrals.redirection_decline(case=referral, user=provider, reason="distance")
    assert RedirectionOffer.objects.filter(case=referral).count() == 1


def test_a_stale_version_is_409(referral, heart, unit_nurse):
    version = AuthorizationRequest.objects.get(pk=referral.pk).version
    referrals.redirection_offer(case_id=referral.pk, actor=unit_nurse, organization_npi=heart.near.organization.npi,
                                message="Closer.", expected_version=version)  # fmt: skip
    # The office answered in the meantime and the nurse's page still shows the old version.
    AuthorizationRequest.objects.filter(pk=referral.pk).update(version=version + 1)

    with pytest.raises(Conflict) as stale:
        referrals.referral_approve_out_of_network(
            case_id=referral.pk, actor=unit_nurse, reason="distance", expected_version=version
        )
    assert stale.value.code == "stale"
