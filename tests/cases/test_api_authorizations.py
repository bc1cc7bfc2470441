"""API v1 through HTTP: token, me, members, providers, submit, list, detail, idempotency."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cases.models import AuthorizationRequest, CaseEvent
from tests.conftest import PASSWORD
from um_portal.models import AccessLog, IdempotencyKey

from ..factories import CoverageFactory, MemberFactory

pytestmark = pytest.mark.django_db


# --- auth/token and me -------------------------------------------------------------


def test_token_for_good_credentials_authenticates_later_calls(api, provider):
    response = api.post("/api/v1/auth/token/", {"username": "provider", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=provider).key == token

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/me/").json()
    assert me["username"] == "provider"
    assert me["role"] == "provider"
    assert me["organization"]["name"] == provider.organization.name
    assert provider.organization.npi in me["organization"]["npis"]


def test_wrong_password_is_401_in_the_error_shape(api, provider):
    response = api.post("/api/v1/auth/token/", {"username": "provider", "password": "nope"}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong username or password.", "code": "invalid_credentials", "errors": {}}


def test_inactive_account_gets_401_saying_so(api, provider):
    provider.is_active = False
    provider.save(update_fields=["is_active"])
    response = api.post("/api/v1/auth/token/", {"username": "provider", "password": PASSWORD}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "account_inactive"
    assert "inactive" in response.json()["detail"]


def test_missing_credentials_are_400(api):
    response = api.post("/api/v1/auth/token/", {"username": "provider"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()["errors"]


def test_me_for_physician_lists_licenses(api, physician):
    me = api.as_user(physician).get("/api/v1/me/").json()
    assert me["organization"] is None
    assert sorted(lic["state"] for lic in me["licenses"]) == ["DC", "MD", "VA"]


def test_anonymous_is_401(api):
    response = api.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


# --- members -------------------------------------------------------------------------


def test_provider_finds_one_member_with_eligibility_and_the_read_is_logged(api, provider, member):
    response = api.as_user(provider).get(
        "/api/v1/members/", {"member_number": "m100001", "date_of_birth": "1961-04-02"}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"next", "previous", "results"}
    [found] = body["results"]
    assert found["member_number"] == "M100001"
    assert found["eligibility"]["eligible"] is True
    assert found["eligibility"]["plan"] == "Test Choice PPO"
    assert AccessLog.objects.filter(user=provider, object_kind="member", member=member, how="api").count() == 1


def test_eligibility_on_a_date_after_coverage_ended(api, provider, member):
    member.coverages.update(end_date="2025-12-31")
    found = (
        api.as_user(provider)
        .get("/api/v1/members/", {"member_number": "M100001", "date_of_birth": "1961-04-02", "on": "2026-01-15"})
        .json()["results"][0]
    )
    assert found["eligibility"]["eligible"] is False
    assert found["eligibility"]["coverage_end"] == "2025-12-31"


def test_provider_must_give_number_and_birth_date(api, provider, member):
    response = api.as_user(provider).get("/api/v1/members/", {"member_number": "M100001"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"date_of_birth": ["Required."]}
    response = api.as_user(provider).get("/api/v1/members/", {"name": "Marlowe"})
    assert response.status_code == 403
    assert AccessLog.objects.count() == 0


def test_wrong_birth_date_finds_nobody(api, provider, member):
    body = (
        api.as_user(provider)
        .get("/api/v1/members/", {"member_number": "M100001", "date_of_birth": "1961-04-03"})
        .json()
    )
    assert body["results"] == []


def test_staff_search_by_name_state_and_line_of_business(api, nurse, member):
    other = MemberFactory(first_name="Zed", last_name="Other", state="VA")
    CoverageFactory(member=other, line_of_business="medicaid")
    api.as_user(nurse)
    assert [m["member_number"] for m in api.get("/api/v1/members/", {"name": "marl"}).json()["results"]] == ["M100001"]
    assert [m["name"] for m in api.get("/api/v1/members/", {"state": "VA"}).json()["results"]] == ["Zed Other"]
    by_lob = api.get("/api/v1/members/", {"line_of_business": "medicaid"}).json()["results"]
    assert [m["member_number"] for m in by_lob] == [other.member_number]


def test_bad_on_date_is_400(api, provider, member):
    response = api.as_user(provider).get(
        "/api/v1/members/", {"member_number": "M100001", "date_of_birth": "1961-04-02", "on": "soon"}
    )
    assert response.status_code == 400
    assert "on" in response.json()["errors"]


# --- providers -----------------------------------------------------------------------


def test_provider_directory_by_practitioner_npi(api, provider2, surgeon, ortho):
    body = api.as_user(provider2).get("/api/v1/providers/", {"npi": surgeon.npi}).json()
    [org] = body["results"]
    assert org["npi"] == ortho.npi
    assert org["contracted"] is True
    assert org["agreement_start"] == "2020-01-01"
    assert [p["npi"] for p in org["practitioners"]] == [surgeon.npi]


def test_provider_directory_filters_by_kind(api, provider, ortho, imaging):
    body = api.as_user(provider).get("/api/v1/providers/", {"kind": "imaging"}).json()
    assert [o["name"] for o in body["results"]] == [imaging.name]
    assert api.get("/api/v1/providers/", {"kind": "spaceship"}).status_code == 400


# --- submit ------------------------------------------------------------------------


def test_submit_answers_201_with_the_case(api, provider, payload):
    response = api.as_user(provider).post("/api/v1/authorizations/", payload(), format="json")
    assert response.status_code == 201, response.json()
    case = response.json()
    assert case["status"] == "received"
    assert case["channel"] == "api"
    assert case["reference"].startswith("UM-")
    assert case["decision_due_at"]
    assert {"ncqa"} <= {clock["rule"] for clock in case["clocks"]}
    assert all(set(clock) == {"rule", "due_at", "started_by"} for clock in case["clocks"])
    assert case["lines"][0]["code"] == "27447" and case["lines"][0]["approved_units"] is None
    assert case["diagnosis_codes"] == ["M17.11"]
    assert case["timeline"][0]["event"] == "submitted"


def test_submit_with_bad_input_is_400_in_the_error_shape(api, provider, payload):
    response = api.as_user(provider).post(
        "/api/v1/authorizations/", payload(service_category="teleportation", lines=[]), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"service_category", "lines"} <= set(body["errors"])
    assert AuthorizationRequest.objects.count() == 0


def test_submit_member_not_eligible_is_400_with_message(api, provider, payload, member):
    member.coverages.update(end_date=timezone.localdate())
    response = api.as_user(provider).post("/api/v1/authorizations/", payload(), format="json")
    assert response.status_code == 400
    assert "not eligible" in response.json()["detail"]


def test_submit_duplicate_is_409_until_confirmed(api, provider, payload):
    api.as_user(provider)
    assert api.post("/api/v1/authorizations/", payload(), format="json").status_code == 201
    response = api.post("/api/v1/authorizations/", payload(), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "likely_duplicate"
    confirmed = api.post("/api/v1/authorizations/", payload(confirm_duplicate=True), format="json")
    assert confirmed.status_code == 201
    assert AuthorizationRequest.objects.count() == 2


def test_submit_for_other_organizations_is_403(api, provider2, payload):
    response = api.as_user(provider2).post("/api/v1/authorizations/", payload(), format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "organization_not_on_request"


def test_staff_enter_a_faxed_request(api, nurse, payload):
    arrived = timezone.now() - timedelta(hours=3)
    response = api.as_user(nurse).post(
        "/api/v1/authorizations/", payload(channel="fax", received_at=arrived.isoformat()), format="json"
    )
    assert response.status_code == 201
    assert response.json()["channel"] == "fax"


def test_provider_giving_a_channel_is_400(api, provider, payload):
    response = api.as_user(provider).post("/api/v1/authorizations/", payload(channel="fax"), format="json")
    assert response.status_code == 400
    assert "channel" in response.json()["errors"]


# --- idempotency ---------------------------------------------------------------------


def test_same_idempotency_key_replays_the_first_answer_and_creates_nothing(api, provider, payload):
    api.as_user(provider)
    first = api.post("/api/v1/authorizations/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    events = CaseEvent.objects.count()
    again = api.post("/api/v1/authorizations/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert AuthorizationRequest.objects.count() == 1
    assert CaseEvent.objects.count() == events


def test_idempotency_key_reused_for_another_body_is_409(api, provider, payload):
    api.as_user(provider)
    api.post("/api/v1/authorizations/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = api.post(
        "/api/v1/authorizations/", payload(clinical_summary="other"), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"


def test_idempotency_keys_are_per_user(api, provider, nurse, payload):
    api.as_user(provider).post("/api/v1/authorizations/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="k")
    response = api.as_user(nurse).post(
        "/api/v1/authorizations/", payload(confirm_duplicate=True), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert response.status_code == 201
    assert AuthorizationRequest.objects.count() == 2


def test_a_failed_request_does_not_burn_its_key(api, provider, payload):
    api.as_user(provider)
    bad = api.post("/api/v1/authorizations/", payload(urgency="expedited"), format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400
    assert not IdempotencyKey.objects.exists()
    good = api.post(
        "/api/v1/authorizations/",
        payload(urgency="expedited", expedited_reason="Rapid decline."),
        format="json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    assert good.status_code == 201


def test_key_older_than_24_hours_is_forgotten(api, provider, payload):
    api.as_user(provider)
    api.post("/api/v1/authorizations/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = api.post("/api/v1/authorizations/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="old")

    # Not replayed: run again, and now the first request is an open likely duplicate.
    assert response.status_code == 409
    assert response.json()["code"] == "likely_duplicate"


# --- list and detail -----------------------------------------------------------------


# A Thursday morning: the expedited case's 72 hours (NCQA) end on Sunday, before the standard
# case's 2 Maryland business days (Monday night). On most other days both clocks end at the
# same business-day midnight, and `due_before` below would rightly match both cases.
@time_machine.travel(datetime(2026, 6, 11, 10, 0, tzinfo=ZoneInfo("America/New_York")))
def test_list_shows_only_the_organizations_cases_with_filters(api, provider, provider2, make_case, imaging):
    mine = make_case(urgency="expedited", expedited_reason="x")
    shared = make_case(servicing_organization=imaging)
    other = make_case(requesting_organization=imaging, servicing_organization=imaging, requesting_practitioner=None)

    body = api.as_user(provider).get("/api/v1/authorizations/").json()
    assert set(body) == {"next", "previous", "results"}
    assert {c["id"] for c in body["results"]} == {str(mine.pk), str(shared.pk)}
    theirs = api.as_user(provider2).get("/api/v1/authorizations/").json()["results"]
    assert {c["id"] for c in theirs} == {str(shared.pk), str(other.pk)}

    api.as_user(provider)
    assert [c["id"] for c in api.get("/api/v1/authorizations/", {"urgency": "expedited"}).json()["results"]] == [
        str(mine.pk)
    ]
    assert api.get("/api/v1/authorizations/", {"status": "approved"}).json()["results"] == []
    due_before = (mine.decision_due_at + timedelta(minutes=1)).isoformat()
    assert [c["id"] for c in api.get("/api/v1/authorizations/", {"due_before": due_before}).json()["results"]] == [
        str(mine.pk)
    ]
    assert api.get("/api/v1/authorizations/", {"member_number": mine.member.member_number}).json()["results"][0][
        "id"
    ] == str(mine.pk)
    assert api.get("/api/v1/authorizations/", {"status": "bogus"}).status_code == 400


def test_list_paginates_with_a_cursor(api, provider, make_case):
    for _ in range(27):
        make_case()
    first = api.as_user(provider).get("/api/v1/authorizations/").json()
    assert len(first["results"]) == 25 and first["next"] and first["previous"] is None
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 2 and second["next"] is None
    assert not {c["id"] for c in first["results"]} & {c["id"] for c in second["results"]}


def test_detail_has_the_api_shape_and_logs_the_read(api, provider, make_case):
    case = make_case()
    response = api.as_user(provider).get(f"/api/v1/authorizations/{case.pk}/")
    assert response.status_code == 200
    body = response.json()
    for key in (
        "id",
        "reference",
        "status",
        "decision_due_at",
        "clocks",
        "member",
        "requesting_provider",
        "servicing_provider",
        "lines",
        "pend",
        "extension",
        "decision",
        "letters",
        "appeals",
        "timeline",
    ):
        assert key in body
    assert AccessLog.objects.filter(user=provider, object_kind="case", object_id=str(case.pk)).count() == 1


def test_detail_hides_internal_notes_from_providers(api, provider, nurse, make_case):
    from cases import events

    case = make_case()
    events.event_note_added(case=case, actor=nurse, text="Internal: call the surgeon.")
    provider_view = api.as_user(provider).get(f"/api/v1/authorizations/{case.pk}/").json()["timeline"]
    nurse_view = api.as_user(nurse).get(f"/api/v1/authorizations/{case.pk}/").json()["timeline"]
    assert "note_added" not in [e["event"] for e in provider_view]
    assert "note_added" in [e["event"] for e in nurse_view]


def test_unknown_or_garbage_id_is_404(api, provider):
    api.as_user(provider)
    assert api.get("/api/v1/authorizations/00000000-0000-0000-0000-000000000000/").status_code == 404
    response = api.get("/api/v1/authorizations/not-a-uuid/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_throttled_calls_get_429_in_the_error_shape(api, provider, monkeypatch):
    from django.core.cache import cache
    from rest_framework.throttling import UserRateThrottle

    cache.clear()
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute", "anon": "2/minute"})
    api.as_user(provider)
    codes = [api.get("/api/v1/me/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    body = api.get("/api/v1/me/").json()
    assert body["code"] == "throttled"
    assert set(body) == {"detail", "code", "errors"}
    cache.clear()


def test_due_before_with_an_extreme_offset_is_not_a_server_error(api, provider, make_case):
    """Found by schemathesis: PostgreSQL refuses offsets Python accepts."""
    make_case()
    response = api.as_user(provider).get("/api/v1/authorizations/", {"due_before": "0147-04-16T10:03:43-18:32"})
    assert response.status_code == 200
    response = api.get("/api/v1/authorizations/", {"due_before": "0001-01-01T00:00:00+10:00"})
    assert response.status_code == 400


def test_locked_out_account_gets_401_with_a_clear_detail(api, provider, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        api.post("/api/v1/auth/token/", {"username": "provider", "password": "wrong-password"}, format="json")
    response = api.post("/api/v1/auth/token/", {"username": "provider", "password": PASSWORD}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "account_locked"
    assert "locked" in response.json()["detail"]
    assert not Token.objects.filter(user=provider).exists()


def test_assigned_to_filter_by_username_or_me(api, nurse, make_case):
    mine, other = make_case(), make_case()
    AuthorizationRequest.objects.filter(pk=mine.pk).update(assigned_to=nurse)
    api.as_user(nurse)
    by_name = api.get("/api/v1/authorizations/", {"assigned_to": "nurse"}).json()["results"]
    by_me = api.get("/api/v1/authorizations/", {"assigned_to": "me"}).json()["results"]
    assert [c["id"] for c in by_name] == [c["id"] for c in by_me] == [str(mine.pk)]
    assert str(other.pk) not in [c["id"] for c in by_me]
