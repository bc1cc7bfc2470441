"""Referral management in Chromium (issue 20): the unit's nurse finds an out-of-network
cardiology referral in her queue with two in-network cardiologists nearer and proposes one;
the referring office declines (the member has seen this cardiologist for years); the nurse
approves out of network for continuity of care. Every step is on the case's timeline."""

import pytest

from cases.models import AuthorizationRequest, CaseEvent
from reviews.models import ReferralReview
from tests.referral_world import cardiologists, referral_to, unit_member

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.click("form[action*='logout'] button")
    page.wait_for_load_state("networkidle")


def test_office_declines_a_redirection_and_the_nurse_approves_out_of_network(
    page, live_server, login, screenshot, ortho, surgeon, nurse, provider
):
    unit_member(nurse)
    heart = cardiologists()
    referral = referral_to(heart.far, ortho=ortho, surgeon=surgeon)

    # The unit's nurse: the queue, the case with its alternatives, a proposal.
    login("nurse")
    page.click("#nav-referrals")
    page.wait_for_selector("#referral-queue")
    assert referral.reference in page.inner_text("#referral-queue")
    screenshot("referrals-queue")
    page.click(f"text={referral.reference}")
    alternatives = page.inner_text("#alternatives")
    assert alternatives.index("Harbor Heart Center") < alternatives.index("Plan Medical Center Cardiology")
    assert "Faraway" not in alternatives
    page.select_option("#id_redirection_option", index=0)
    page.fill("#id_redirection_message", "Dr. Nearby at Harbor Heart Center is about a mile from the member.")
    screenshot("referrals-review-page")
    page.click("#redirection-offer-submit")
    assert "Redirection proposed" in page.inner_text(".messages")
    assert page.inner_text("#referral-status") == "Redirection proposed to the office"
    _logout(page)

    # The referring office reads the proposal and declines it, keeping its cardiologist.
    login("provider")
    page.goto(f"{live_server.url}/cases/{referral.pk}/")
    proposal = page.inner_text("#redirection-proposed")
    assert "Harbor Heart Center" in proposal and "about a mile from the member" in proposal
    page.select_option("#id_redirection_reason", "continuity_of_care")
    page.fill("#id_redirection_note", "Dr. Faraway has followed this member's heart failure for six years.")
    screenshot("referrals-office-declines")
    page.click("#redirection-decline-submit")
    assert "Redirection declined" in page.inner_text(".messages")
    _logout(page)

    # The nurse approves the referral as requested, out of network, for continuity of care.
    login("nurse")
    page.click("#nav-referrals")
    row = page.locator("#referral-queue tr", has_text=referral.reference)
    assert "Office declined the redirection" in row.inner_text()
    page.click(f"text={referral.reference}")
    assert "Continuity of care: Dr. Faraway has followed" in page.inner_text("#redirections")
    page.select_option("#id_oon_reason", "continuity_of_care")
    page.fill("#id_oon_note", "Six years with this cardiologist; heart failure.")
    page.click("#oon-approve-submit")
    assert "Approved out of network" in page.inner_text(".messages")
    assert page.inner_text("#case-status") == "Approved"
    screenshot("referrals-approved-out-of-network")

    assert AuthorizationRequest.objects.get(pk=referral.pk).servicing_practitioner_id == heart.far.pk
    assert ReferralReview.objects.get(case=referral).approval_reason == "continuity_of_care"
    kinds = set(CaseEvent.objects.filter(case=referral).values_list("kind", flat=True))
    assert {"redirection_offered", "redirection_declined", "out_of_network_approved", "decision_recorded"} <= kinds
