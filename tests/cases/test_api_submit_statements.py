"""A submit costs a fixed, small number of statements (issue #13: it was 57), and its
answer is the same as reading the case afterwards."""

import pytest
from django.db import connection

from cases.models import AuthorizationRequestGroupObjectPermission, CaseEvent

pytestmark = pytest.mark.postgres

# Issue #13, item 3: at most 15 statements (57 before), every one Django sends counted,
# BEGIN and COMMIT included; 14 since the turnaround rules and plan closures are kept in
# the process (one digest statement instead of their two reads).
MAX_SUBMIT_STATEMENTS = 14


# transaction=True: the submit's own transaction is the outermost one, as in production,
# so no test savepoint is counted.
@pytest.mark.django_db(transaction=True)
def test_api_submit_takes_at_most_14_statements(api, provider, payload, django_assert_max_num_queries):
    api.as_user(provider)
    # A first submit fills the per-process caches (permission ids, the live rules, the
    # turnaround rules and closures).
    first = payload()
    first["lines"][0]["code"] = "27130"
    assert api.post("/api/v1/authorizations/", first, format="json").status_code == 201
    provider._um_role = "unset"
    # 1 role groups; 2 member with coverages; 3 the organizations and practitioners named
    # by NPI with their agreements; 4 BEGIN; 5 duplicate-check advisory lock; 6 open lines
    # that could be duplicates; 7 the digest of the turnaround rules, their periods and the
    # plan closures (kept in the process: cases.deadlines.clocks.clock_tables); 8 the case,
    # its reference, diagnoses, lines, permissions and events in one statement; 9-12 the
    # intake hooks in a savepoint (live-rule stamp, the rule evaluation row); 13 COMMIT;
    # 14 the access-log row of the answer.
    with django_assert_max_num_queries(MAX_SUBMIT_STATEMENTS):
        response = api.post("/api/v1/authorizations/", payload(), format="json")
    assert response.status_code == 201, response.json()


# A confirmed likely duplicate costs no more (the bench's submit): the flag is in the case's
# INSERT and its event a receipt row of the same statement; the hook writes its "not
# evaluated" row without reading the live rules (an UPDATE and an event INSERT before).
DUPLICATE_STATEMENTS = 13


@pytest.mark.django_db(transaction=True)
def test_api_submit_of_a_confirmed_duplicate_takes_at_most_13_statements(
    api, provider, payload, django_assert_max_num_queries
):
    api.as_user(provider)
    first = api.post("/api/v1/authorizations/", payload(), format="json").json()
    provider._um_role = "unset"
    with django_assert_max_num_queries(DUPLICATE_STATEMENTS):
        response = api.post("/api/v1/authorizations/", payload(confirm_duplicate=True), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [e["event"] for e in body["timeline"]] == ["submitted", "clock_set", "duplicate_flagged"]
    assert body == api.get(f"/api/v1/authorizations/{body['id']}/").json()
    assert CaseEvent.objects.get(case_id=body["id"], kind="duplicate_flagged").data == {"duplicate_of": first["id"]}


# With an Idempotency-Key: the key's row claimed in one statement (an insert that replaces
# an expired row and leaves a live one alone) and the answer stored in one more, in one
# transaction with the submit, whose own transaction becomes a savepoint (SAVEPOINT and
# RELEASE: two more). Seven more before (a delete of an expired row and a savepoint
# around the insert: 22 statements in all, now 19).
KEY_STATEMENTS = 4


@pytest.mark.django_db(transaction=True)
def test_api_submit_with_an_idempotency_key_takes_at_most_four_more(
    api, provider, payload, django_assert_max_num_queries
):
    api.as_user(provider)
    first = payload()
    first["lines"][0]["code"] = "27130"
    assert api.post("/api/v1/authorizations/", first, format="json", HTTP_IDEMPOTENCY_KEY="k0").status_code == 201
    provider._um_role = "unset"
    # As above, and: 1 the key claimed (after BEGIN), 2-3 the submit's SAVEPOINT and
    # RELEASE, 4 the answer stored (before COMMIT).
    with django_assert_max_num_queries(MAX_SUBMIT_STATEMENTS + KEY_STATEMENTS):
        response = api.post("/api/v1/authorizations/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201, response.json()
    # The same key again: the first answer, nothing created.
    again = api.post("/api/v1/authorizations/", payload(), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == response.json()


@pytest.mark.django_db
def test_submit_answer_equals_the_detail_read_afterwards(api, provider, payload):
    api.as_user(provider)
    created = api.post("/api/v1/authorizations/", payload(), format="json").json()
    again = api.get(f"/api/v1/authorizations/{created['id']}/").json()
    assert created == again
    assert created["reference"].startswith("UM-") and len(created["timeline"]) == 2


@pytest.mark.django_db
def test_submit_grants_view_and_act_to_both_organizations(api, provider, provider2, payload, imaging):
    body = (
        api.as_user(provider)
        .post("/api/v1/authorizations/", payload(servicing_provider_npi=imaging.npi), format="json")
        .json()
    )
    grants = AuthorizationRequestGroupObjectPermission.objects.filter(content_object_id=body["id"])
    assert sorted((g.group_id, g.permission.codename) for g in grants) == sorted(
        (group, codename)
        for group in (provider.organization.access_group_id, imaging.access_group_id)
        for codename in ("act_on_authorizationrequest", "view_authorizationrequest")
    )
    # The servicing organization sees it in its list, through its grant.
    listed = api.as_user(provider2).get("/api/v1/authorizations/").json()["results"]
    assert [c["id"] for c in listed] == [body["id"]]
    assert CaseEvent.objects.filter(case_id=body["id"]).count() == 2


@pytest.mark.django_db
def test_references_follow_each_other_from_the_year_sequence(make_case):
    first, second = make_case(), make_case()
    year, number = first.reference.split("-")[1:]
    assert second.reference == f"UM-{year}-{int(number) + 1:06d}"
    assert connection.vendor == "postgresql"
