"""Referral management API (issue 20): the unit's queue (query count pinned), proposals,
answers and out-of-network approvals through HTTP, bad input answered 4xx with a message
and nothing written, strangers 404, two answers one 409."""

import pytest

from cases.models import CaseEvent
from reviews.models import RedirectionOffer, ReferralReview
from tests.referral_world import cardiologists, referral_to, unit_member

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def heart(db):
    return cardiologists()


@pytest.fixture
def unit_nurse(nurse):
    return unit_member(nurse)


@pytest.fixture
def referral(heart, ortho, surgeon):
    return referral_to(heart.far, ortho=ortho, surgeon=surgeon)


def _url(case, action: str) -> str:
    return f"/api/v1/authorizations/{case.pk}/{action}/"


def _events(case) -> int:
    return CaseEvent.objects.filter(case=case).count()


def test_the_unit_queue_lists_the_referral_with_its_flags(api, referral, heart, ortho, surgeon, unit_nurse):
    flagged = referral_to(heart.far, ortho=ortho, surgeon=surgeon, diagnoses=["L40.0"], code="93306",
                          description="Echocardiogram")  # fmt: skip

    answer = api.as_user(unit_nurse).get("/api/v1/queues/referral-management/")

    assert answer.status_code == 200
    rows = {row["reference"]: row for row in answer.json()["results"]}
    assert set(rows) == {referral.reference, flagged.reference}
    assert rows[referral.reference]["intent_flags"] == []
    assert [f["code"] for f in rows[flagged.reference]["intent_flags"]] == ["specialty_diagnosis", "service_diagnosis"]
    assert rows[referral.reference]["servicing_provider"]["npi"] == heart.far.npi
    assert rows[referral.reference]["network_status"] == "out_of_network"
    # The nearest in-network options at receipt, nearest first (21202, then 21218).
    alternatives = rows[referral.reference]["alternatives"]
    assert [a["name"].split(",")[0].split()[-1] for a in alternatives] == ["Nearby", "Closeby"]
    assert alternatives[0]["network"] == "contracted" and alternatives[0]["distance_miles"] is not None


def test_the_queue_reads_a_fixed_number_of_queries(api, heart, ortho, surgeon, unit_nurse, django_assert_num_queries):
    referral_to(heart.far, ortho=ortho, surgeon=surgeon)
    client = api.as_user(unit_nurse)
    client.get("/api/v1/queues/referral-management/")  # warm the role cache
    # the page (reviews with case, member, offices, practitioner); the access log rows
    with django_assert_num_queries(2) as first:
        client.get("/api/v1/queues/referral-management/")
    for _ in range(3):
        referral_to(heart.far, ortho=ortho, surgeon=surgeon)
    with django_assert_num_queries(len(first.captured_queries)):
        answer = client.get("/api/v1/queues/referral-management/")
    assert len(answer.json()["results"]) == 4


def test_a_nurse_outside_the_unit_a_physician_and_a_provider_are_refused(api, referral, nurse2, physician, provider):
    for user in (nurse2, physician, provider):
        assert api.as_user(user).get("/api/v1/queues/referral-management/").status_code == 403
    before = _events(referral)
    answer = api.as_user(nurse2).post(_url(referral, "approve-out-of-network"), {"reason": "distance"}, format="json")
    assert answer.status_code == 403 and _events(referral) == before


def test_offer_accept_through_the_api(api, referral, heart, unit_nurse, provider):
    offered = api.as_user(unit_nurse).post(
        _url(referral, "redirection"),
        {"organization_npi": heart.near.organization.npi, "practitioner_npi": heart.near.npi,
         "message": "Dr. Nearby is a mile from the member."},
        format="json",
    )  # fmt: skip
    assert offered.status_code == 200, offered.json()
    listed = api.as_user(provider).get(f"/api/v1/authorizations/{referral.pk}/redirections/")
    assert listed.status_code == 200
    assert [(r["status"], r["option"]["practitioner_npi"], r["message"]) for r in listed.json()] == [
        ("offered", heart.near.npi, "Dr. Nearby is a mile from the member.")
    ]

    accepted = api.as_user(provider).post(_url(referral, "redirection/accept"), {}, format="json")

    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["servicing_provider"]["npi"] == heart.near.npi
    again = api.as_user(provider).post(_url(referral, "redirection/decline"), {"reason": "distance"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "no_open_redirection"


def test_decline_then_approve_out_of_network_through_the_api(api, referral, heart, unit_nurse, provider):
    api.as_user(unit_nurse).post(_url(referral, "redirection"),
                                 {"organization_npi": heart.center.organization.npi, "message": "Our center."},
                                 format="json")  # fmt: skip
    declined = api.as_user(provider).post(
        _url(referral, "redirection/decline"), {"reason": "continuity_of_care", "note": "Six years."}, format="json"
    )
    approved = api.as_user(unit_nurse).post(
        _url(referral, "approve-out-of-network"), {"reason": "continuity_of_care"}, format="json"
    )

    assert declined.status_code == 200 and approved.status_code == 200, (declined.json(), approved.json())
    assert approved.json()["status"] == "approved"
    assert ReferralReview.objects.get(case=referral).approval_reason == "continuity_of_care"


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("redirection", {"organization_npi": "1234567893", "message": "x"}, "organization_npi"),
        ("redirection", {"organization_npi": "", "message": "x"}, "organization_npi"),
        ("redirection", {"organization_npi": ["x"], "message": "x"}, "organization_npi"),
        ("redirection", {"message": "x"}, "organization_npi"),
        ("redirection", {"organization_npi": "NEAR", "message": ""}, "message"),
        ("redirection", {"organization_npi": "NEAR", "message": "x" * 3000}, "message"),
        ("approve-out-of-network", {"reason": "cheaper"}, "reason"),
        ("approve-out-of-network", {}, "reason"),
        ("approve-out-of-network", {"reason": "other", "note": "   "}, "note"),
        ("approve-out-of-network", {"reason": "distance", "version": "x"}, "version"),
    ],
)
def test_bad_input_from_the_nurse_is_400_with_a_message_and_nothing_written(
    api, referral, heart, unit_nurse, action, body, field
):
    body = {k: heart.near.organization.npi if v == "NEAR" else v for k, v in body.items()}
    before = _events(referral)

    answer = api.as_user(unit_nurse).post(_url(referral, action), body, format="json")

    assert answer.status_code == 400, answer.json()
    assert field in answer.json()["errors"] and answer.json()["detail"]
    assert _events(referral) == before and not RedirectionOffer.objects.exists()


@pytest.mark.parametrize("body", [{"reason": "because"}, {}, {"reason": "other"}, {"reason": ["distance"]}])
def test_bad_input_from_the_office_is_400_and_the_proposal_stays_open(api, referral, heart, unit_nurse, provider, body):
    api.as_user(unit_nurse).post(_url(referral, "redirection"),
                                 {"organization_npi": heart.near.organization.npi, "message": "Closer."},
                                 format="json")  # fmt: skip
    before = _events(referral)

    answer = api.as_user(provider).post(_url(referral, "redirection/decline"), body, format="json")

    assert answer.status_code == 400 and answer.json()["detail"]
    assert _events(referral) == before
    assert RedirectionOffer.objects.get(case=referral).status == "offered"


def test_another_office_gets_404_and_nothing_is_written(api, referral, heart, unit_nurse, provider2):
    assert api.as_user(provider2).get(f"/api/v1/authorizations/{referral.pk}/redirections/").status_code == 404
    api.as_user(unit_nurse).post(_url(referral, "redirection"),
                                 {"organization_npi": heart.near.organization.npi, "message": "Closer."},
                                 format="json")  # fmt: skip
    before = _events(referral)

    for action in ("redirection/accept", "redirection/decline"):
        answer = api.as_user(provider2).post(_url(referral, action), {"reason": "distance"}, format="json")
        assert answer.status_code == 404
    assert _events(referral) == before
    assert RedirectionOffer.objects.get(case=referral).status == "offered"


def test_a_stale_version_from_the_nurse_is_409(api, referral, heart, unit_nurse):
    answer = api.as_user(unit_nurse).post(
        _url(referral, "approve-out-of-network"), {"reason": "distance", "version": 99}, format="json"
    )
    assert answer.status_code == 409 and answer.json()["code"] == "stale"
