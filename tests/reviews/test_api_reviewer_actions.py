from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import CaseStatus
from reviews.models import Appeal, Decision
from reviews.services.decisions import case_deny
from reviews.services.pends import case_route_to_physician
from um_portal.models import AccessLog

from .helpers import PASSWORD, knee_criteria, written

pytestmark = pytest.mark.django_db


def url(case, action):
    return f"/api/v1/authorizations/{case.pk}/{action}/"


def test_nurse_claims_through_the_api_and_gets_the_case(api, make_case, nurse):
    case = make_case()

    response = api.as_user(nurse).post(url(case, "assign"), {"username": None}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(case.pk) and body["assigned_to"] == "nurse" and body["status"] == "in_review"
    assert AccessLog.objects.filter(user=nurse, object_id=str(case.pk), how="api").exists()


def test_reassign_to_an_unknown_user_is_a_400(api, make_case, nurse):
    case = make_case()
    before = written(case)

    response = api.as_user(nurse).post(url(case, "assign"), {"username": "ghost"}, format="json")

    assert response.status_code == 400 and "username" in response.json()["errors"]
    assert written(case) == before


def test_pend_then_approve_through_the_api(api, make_case, nurse):
    case = make_case()
    client = api.as_user(nurse)
    respond_by = (timezone.localdate() + timedelta(days=3)).isoformat()

    pended = client.post(
        url(case, "pend"), {"requested_information": "PT notes", "respond_by": respond_by, "reason_code": "PD01"}
    )
    approved = client.post(url(case, "approve"), {"rationale": "Notes received by phone."})

    assert pended.status_code == 200 and pended.json()["pend"]["requested_information"] == "PT notes"
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "approved" and body["decision"]["outcome"] == "approved"
    assert body["lines"][0]["approved_units"] == body["lines"][0]["units"]


def test_nurse_medical_necessity_denial_through_the_api_is_403_and_writes_nothing(api, make_case, nurse):
    version = knee_criteria()
    case = make_case()
    before = written(case)

    response = api.as_user(nurse).post(
        url(case, "deny"),
        {
            "basis": "medical_necessity",
            "reason_code": "MN01",
            "reason": "No.",
            "criteria_ids": [version.pk],
            "password": PASSWORD,
        },
    )

    assert response.status_code == 403
    assert response.json()["code"] == "physician_required" and "physician" in response.json()["detail"]
    assert written(case) == before


def test_nurse_partial_approval_through_the_api_is_403(api, make_case, nurse):
    case = make_case()
    line = case.lines.get()
    before = written(case)

    response = api.as_user(nurse).post(
        url(case, "partially-approve"),
        {"reason": "r", "criteria_ids": [], "lines": [{"id": str(line.pk), "approved_units": 0}], "password": "x"},
    )

    assert response.status_code == 403
    assert written(case) == before


def test_physician_denies_with_criteria_and_signature_through_the_api(api, make_case, nurse, physician):
    version = knee_criteria()
    case = make_case()
    api.as_user(nurse).post(url(case, "route-to-physician"), {"reason": "Only 4 weeks PT."})

    response = api.as_user(physician).post(
        url(case, "deny"),
        {
            "basis": "medical_necessity",
            "reason_code": "MN01",
            "reason": "Only 4 weeks of physical therapy are documented.",
            "criteria_ids": [version.pk],
            "password": PASSWORD,
        },
    )

    assert response.status_code == 200, response.json()
    decision = response.json()["decision"]
    assert decision["basis"] == "medical_necessity"
    assert decision["criteria"][0]["id"] == version.pk
    assert decision["decided_by"]["credentials"] == "MD" and decision["decided_by"]["role"] == "physician"
    assert decision["reason_code"]["code"] == "MN01" and decision["reason_code"]["x12_code"]


def test_physician_ca_denial_for_md_member_is_403_with_clear_message(api, make_case, nurse, physician_ca):
    version = knee_criteria()
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="MD review")
    before = written(case)

    response = api.as_user(physician_ca).post(
        url(case, "deny"),
        {
            "basis": "medical_necessity",
            "reason_code": "MN01",
            "reason": "No.",
            "criteria_ids": [version.pk],
            "password": PASSWORD,
        },
    )

    assert response.status_code == 403
    assert "licensed in MD" in response.json()["detail"]
    assert written(case) == before


def test_second_decision_is_409_with_the_api_error_shape(api, make_case, nurse, nurse2):
    case = make_case()
    api.as_user(nurse).post(url(case, "approve"), {})

    response = api.as_user(nurse2).post(
        url(case, "deny"), {"basis": "benefit", "reason": "Not covered.", "reason_code": "BN01"}
    )

    assert response.status_code == 409
    assert set(response.json()) == {"detail", "code", "errors"} and response.json()["code"] == "already_decided"


def test_stale_version_is_409(api, make_case, nurse):
    case = make_case()
    old_version = case.version
    api.as_user(nurse).post(url(case, "assign"), {})

    response = api.as_user(nurse).post(url(case, "approve"), {"version": old_version})

    assert response.status_code == 409 and response.json()["code"] == "stale"


def test_provider_cannot_act_and_stranger_gets_404(api, make_case, provider, provider2):
    case = make_case()
    before = written(case)

    assert api.as_user(provider).post(url(case, "approve"), {}).status_code == 403
    assert api.as_user(provider2).post(url(case, "approve"), {}).status_code == 404
    assert api.as_user(provider2).post("/api/v1/authorizations/not-a-uuid/approve/", {}).status_code == 404
    assert written(case) == before


def test_bad_input_is_400_not_500(api, make_case, physician):
    case = make_case()

    response = api.as_user(physician).post(url(case, "deny"), {"basis": "vibes", "reason": ""})

    assert response.status_code == 400 and set(response.json()["errors"]) >= {"basis", "reason"}


@pytest.fixture
def appeal(make_case, nurse, physician, provider):
    version = knee_criteria()
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
    case_deny(
        reason_code="MN01",
        case_id=case.pk, actor=physician, basis="medical_necessity", reason="r", criteria_ids=[version.pk],
        password=PASSWORD,
    )  # fmt: skip
    return Appeal.objects.create(
        case=case, decision_appealed=Decision.objects.get(case=case), reason="More PT", filed_by=provider,
        filed_at=timezone.now(), due_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip


def test_appeal_detail_and_independent_decision_through_the_api(api, appeal, physician2):
    client = api.as_user(physician2)

    detail = client.get(f"/api/v1/appeals/{appeal.pk}/")
    decided = client.post(
        f"/api/v1/appeals/{appeal.pk}/decide/",
        {"outcome": "overturned", "reason": "14 weeks of PT shown.", "password": PASSWORD},
    )

    assert detail.status_code == 200 and detail.json()["status"] == "open"
    assert detail.json()["decision_appealed"]["decided_by"]["name"].startswith("Physician")
    assert decided.status_code == 200 and decided.json()["outcome"] == "overturned"
    appeal.case.refresh_from_db()
    assert appeal.case.status == CaseStatus.APPROVED


def test_appeal_decided_by_the_original_physician_is_403(api, appeal, physician):
    before = written(appeal.case)

    response = api.as_user(physician).post(
        f"/api/v1/appeals/{appeal.pk}/decide/", {"outcome": "overturned", "reason": "r", "password": PASSWORD}
    )

    assert response.status_code == 403 and response.json()["code"] == "not_independent"
    assert written(appeal.case) == before


def test_appeal_is_404_for_another_organization(api, appeal, provider2):
    assert api.as_user(provider2).get(f"/api/v1/appeals/{appeal.pk}/").status_code == 404
    assert api.as_user(provider2).get("/api/v1/appeals/nope/").status_code == 404
