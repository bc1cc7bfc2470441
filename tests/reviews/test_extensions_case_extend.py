"""Extensions: only where a rule allows one, once, on an allowed ground; new due by the rule."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases.models import CaseEvent
from reviews.models import Extension
from reviews.services.extensions import case_extend
from tests.factories import CoverageFactory, MemberFactory
from um_portal.exceptions import Conflict, NotAllowed, NotFound, ValidationFailed

NY = ZoneInfo("America/New_York")
RECEIVED = datetime(2026, 11, 24, 9, 0, tzinfo=NY)


def local(dt) -> str:
    return dt.astimezone(NY).strftime("%Y-%m-%d %H:%M:%S")


def case_for(make_case, *, lob="commercial", state="VA", **kwargs):
    member = MemberFactory(state=state)
    CoverageFactory(member=member, state=state, line_of_business=lob)
    return make_case(member=member, received_at=RECEIVED, start_date=date(2026, 12, 20), **kwargs)


def test_ma_standard_case_is_extended_14_calendar_days(make_case, nurse):
    case = case_for(make_case, lob="medicare_advantage")
    assert local(case.decision_due_at) == "2026-12-01 23:59:59"

    extension = case_extend(case_id=case.pk, actor=nurse, ground="member_request", reason="Member asked.")

    case.refresh_from_db()
    assert extension.rule == "cms_ma"
    assert local(extension.old_due_at) == "2026-12-01 23:59:59"
    assert local(extension.new_due_at) == "2026-12-15 23:59:59"
    assert case.decision_due_at == extension.new_due_at
    assert [c["extended"] for c in case.clocks] == [True, True]
    event = case.events.get(kind=CaseEvent.Kind.EXTENDED)
    assert event.data == {"extension_id": extension.pk, "rule": "cms_ma"}
    assert event.new_value == extension.new_due_at.isoformat()
    assert event.actor == nurse


def test_a_second_extension_is_refused(make_case, nurse):
    case = case_for(make_case, lob="medicare_advantage")
    case_extend(case_id=case.pk, actor=nurse, ground="member_request", reason="Member asked.")

    with pytest.raises(Conflict, match="already extended"):
        case_extend(case_id=case.pk, actor=nurse, ground="outside_information", reason="Again.")
    assert Extension.objects.filter(case=case).count() == 1


def test_california_rule_allows_no_extension(make_case, physician):
    case = case_for(make_case, state="CA")
    due = case.decision_due_at

    with pytest.raises(Conflict, match="California Knox-Keene.*delay notice"):
        case_extend(case_id=case.pk, actor=physician, ground="member_request", reason="Need records.")
    case.refresh_from_db()
    assert case.decision_due_at == due
    assert not Extension.objects.exists()
    assert not case.events.filter(kind=CaseEvent.Kind.EXTENDED).exists()


def test_maryland_rule_allows_no_extension(make_case, nurse):
    case = case_for(make_case, state="MD")

    with pytest.raises(Conflict):
        case_extend(case_id=case.pk, actor=nurse, ground="outside_information", reason="Need records.")


def test_ncqa_allows_no_extension_for_an_urgent_request(make_case, nurse):
    case = case_for(make_case, lob="medicare_advantage", urgency="expedited", expedited_reason="Pain.")

    with pytest.raises(Conflict):
        case_extend(case_id=case.pk, actor=nurse, ground="member_request", reason="Member asked.")


def test_commercial_case_in_virginia_uses_the_ncqa_extension(make_case, nurse):
    case = case_for(make_case)

    extension = case_extend(case_id=case.pk, actor=nurse, ground="outside_information", reason="Need records.")

    assert extension.rule == "ncqa"
    assert local(extension.new_due_at) == "2026-12-24 23:59:59"  # 9 Dec + 15 calendar days


def test_ground_and_reason_are_required(make_case, nurse):
    case = case_for(make_case, lob="medicare_advantage")

    with pytest.raises(ValidationFailed) as error:
        case_extend(case_id=case.pk, actor=nurse, ground="convenience", reason=" ")
    assert set(error.value.errors) == {"ground", "reason"}
    assert not Extension.objects.exists()


def test_provider_may_not_extend_and_stranger_sees_nothing(make_case, provider, provider2):
    case = case_for(make_case, lob="medicare_advantage")

    with pytest.raises(NotAllowed):
        case_extend(case_id=case.pk, actor=provider, ground="member_request", reason="Please.")
    with pytest.raises(NotFound):
        case_extend(case_id=case.pk, actor=provider2, ground="member_request", reason="Please.")
    assert not Extension.objects.exists()
    assert not case.events.filter(kind=CaseEvent.Kind.EXTENDED).exists()


def test_decided_case_cannot_be_extended(make_case, nurse):
    case = case_for(make_case, lob="medicare_advantage")
    type(case).objects.filter(pk=case.pk).update(status="approved")

    with pytest.raises(Conflict):
        case_extend(case_id=case.pk, actor=nurse, ground="member_request", reason="Too late.")


# ---- API ----


def test_api_extend_answers_the_updated_case(make_case, api, nurse):
    case = case_for(make_case, lob="medicare_advantage")

    response = api.as_user(nurse).post(
        f"/api/v1/authorizations/{case.pk}/extend/",
        {"reason": "Member asked.", "ground": "member_request"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["extension"]["rule"] == "cms_ma"
    assert datetime.fromisoformat(body["decision_due_at"]) == datetime.fromisoformat(body["extension"]["new_due_at"])
    assert local(datetime.fromisoformat(body["decision_due_at"])) == "2026-12-15 23:59:59"


def test_api_second_extension_is_409(make_case, api, nurse):
    case = case_for(make_case, lob="medicare_advantage")
    url = f"/api/v1/authorizations/{case.pk}/extend/"
    api.as_user(nurse).post(url, {"reason": "Member asked.", "ground": "member_request"}, format="json")

    response = api.post(url, {"reason": "Again.", "ground": "member_request"}, format="json")

    assert response.status_code == 409
    assert "already extended" in response.json()["detail"]


def test_api_takes_the_api_md_body_with_reason_only(make_case, api, nurse):
    """API.md promises `{"reason"}`: without a ground the plan-side ground applies."""
    case = case_for(make_case, lob="medicare_advantage")

    response = api.as_user(nurse).post(
        f"/api/v1/authorizations/{case.pk}/extend/", {"reason": "Waiting for the surgeon's notes."}, format="json"
    )

    assert response.status_code == 200, response.content
    assert Extension.objects.get(case=case).ground == Extension.Ground.OUTSIDE_INFORMATION
    assert response.json()["extension"]["ground"] == "outside_information"


def test_api_unknown_ground_is_400(make_case, api, nurse):
    case = case_for(make_case, lob="medicare_advantage")

    response = api.as_user(nurse).post(
        f"/api/v1/authorizations/{case.pk}/extend/", {"reason": "x", "ground": "whim"}, format="json"
    )

    assert response.status_code == 400
    assert "ground" in response.json()["errors"]
    assert not Extension.objects.filter(case=case).exists()


def test_api_stranger_gets_404_and_nothing_is_written(make_case, api, provider2):
    case = case_for(make_case, lob="medicare_advantage")

    response = api.as_user(provider2).post(
        f"/api/v1/authorizations/{case.pk}/extend/", {"reason": "x", "ground": "member_request"}, format="json"
    )

    assert response.status_code == 404
    assert not Extension.objects.exists()
