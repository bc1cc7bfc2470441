"""Referral management figures (issue 20, item 4) in the operations dashboard: redirections
proposed, accepted and declined (with reasons) by specialty and month, and out-of-network
approvals with their reasons; months are the plan's (a proposal at 23:30 ET on the last day
of a month counts in that month)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reviews.reporting.dashboard import DashboardFilters
from reviews.reporting.referrals import referral_figures
from reviews.services import referrals
from tests.referral_world import cardiologists, referral_to, unit_member

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
NY = ZoneInfo("America/New_York")


@pytest.fixture
def heart(db):
    return cardiologists()


def _offer(case, heart, nurse):
    referrals.redirection_offer(case_id=case.pk, actor=nurse, organization_npi=heart.near.organization.npi,
                                message="Closer to the member.")  # fmt: skip


def test_redirections_and_out_of_network_approvals_by_specialty_and_month(
    heart, ortho, surgeon, nurse, provider, client, admin_user
):
    nurse = unit_member(nurse)
    with time_machine.travel(datetime(2026, 10, 31, 23, 30, tzinfo=NY), tick=False):
        october = [referral_to(heart.far, ortho=ortho, surgeon=surgeon) for _ in range(3)]
        for case in october:
            _offer(case, heart, nurse)
        referrals.redirection_accept(case=october[0], user=provider)
        referrals.redirection_decline(case=october[1], user=provider, reason="continuity_of_care")
        referrals.referral_approve_out_of_network(case_id=october[1].pk, actor=nurse, reason="continuity_of_care")
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=NY), tick=False):
        november = referral_to(heart.far, ortho=ortho, surgeon=surgeon)
        _offer(november, heart, nurse)
        referrals.redirection_decline(case=november, user=provider, reason="distance", note="Member drives there.")
        unflagged = referral_to(heart.far, ortho=ortho, surgeon=surgeon)
        referrals.referral_approve_out_of_network(case_id=unflagged.pk, actor=nurse, reason="availability")

    with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=NY), tick=False):
        figures = referral_figures(DashboardFilters(start=date(2026, 10, 1), end=date(2026, 11, 30)))

    assert [(r["month"], r["specialty"], r["offered"], r["accepted"], r["declined"], r["waiting"])
            for r in figures["redirections"]] == [
        (date(2026, 10, 1), "Cardiovascular Disease Physician", 3, 1, 1, 1),
        (date(2026, 11, 1), "Cardiovascular Disease Physician", 1, 0, 1, 0),
    ]  # fmt: skip
    assert [(r["month"], r["reason"], r["declined"]) for r in figures["declines"]] == [
        (date(2026, 10, 1), "Continuity of care", 1),
        (date(2026, 11, 1), "Distance", 1),
    ]
    assert [(r["month"], r["reason"], r["approved"]) for r in figures["approvals"]] == [
        (date(2026, 10, 1), "Continuity of care", 1),
        (date(2026, 11, 1), "Availability", 1),
    ]
    assert figures["totals"] == {
        "offered": 4, "accepted": 1, "declined": 2, "waiting": 1, "approved_out_of_network": 2,
        "accepted_percent": 33.3,
    }  # fmt: skip

    # The same figures on the dashboard page and as CSV.
    with time_machine.travel(datetime(2026, 11, 20, 12, 0, tzinfo=NY), tick=True):
        client.force_login(admin_user)  # a session of that day
        page = client.get("/reviews/dashboard/?start=2026-10-01&end=2026-11-30")
        csv = client.get("/reviews/dashboard/?start=2026-10-01&end=2026-11-30&export=referral_declines")
    assert page.status_code == 200
    body = page.content.decode()
    assert "In-network redirections proposed, by month and specialty" in body
    assert "Out-of-network referral approvals, by reason" in body
    assert csv.content.decode().splitlines() == [
        "Month,Specialty,Reason,Declined",
        "2026-10,Cardiovascular Disease Physician,Continuity of care,1",
        "2026-11,Cardiovascular Disease Physician,Distance,1",
    ]


def test_a_filter_the_dashboard_applies_also_narrows_the_referral_figures(heart, ortho, surgeon, nurse):
    nurse = unit_member(nurse)
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=NY), tick=False):
        case = referral_to(heart.far, ortho=ortho, surgeon=surgeon)
        _offer(case, heart, nurse)
        figures = referral_figures(
            DashboardFilters(start=date(2026, 11, 1), end=date(2026, 11, 30), service_category="imaging")
        )
    assert figures["redirections"] == [] and figures["totals"]["offered"] == 0
