"""The provider list (GET /api/v1/authorizations/) reads its page as values and writes each
row out itself (cases.serializers.case_list_rows_json, issue #13): each row must be what
CaseListSerializer writes for the case, key for key and value for value."""

import json

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from cases.models import AuthorizationRequest
from cases.selectors import LIST_RELATED, case_related_attach
from cases.serializers import CaseListSerializer
from reviews.services.assignment import case_assign

pytestmark = pytest.mark.django_db


def serializer_rows(user, cases) -> list:
    """What CaseListSerializer writes for `cases` (in that order) when `user` asks."""
    request = Request(APIRequestFactory().get("/api/v1/authorizations/"))
    request.user = user
    cases = case_related_attach(cases, LIST_RELATED)
    return CaseListSerializer(cases, many=True, context={"request": request}).data


def cases_of_every_row_shape(make_case, *, imaging, surgeon, reviewer) -> tuple:
    """(plain, by_surgeon, change): a case without a requesting practitioner, one serviced
    by a practitioner without credentials and taken by `reviewer`, and a change request of
    the first: every branch of a list row."""
    plain = make_case(requesting_practitioner=None)
    by_surgeon = make_case(servicing_organization=imaging, servicing_practitioner=surgeon)
    surgeon.credentials = ""
    surgeon.save(update_fields=["credentials"])
    change = make_case(urgency="expedited", expedited_reason="Severe pain")
    AuthorizationRequest.objects.filter(pk=change.pk).update(change_of=plain, change_kind="extend")
    case_assign(case_id=by_surgeon.pk, actor=reviewer)
    return plain, by_surgeon, change


@pytest.mark.parametrize("time_zone", ["America/New_York", "UTC"])
def test_provider_list_rows_are_what_the_serializer_writes(
    api, make_case, provider, nurse, imaging, surgeon, settings, time_zone
):
    # Given the office's cases with and without practitioners, one taken by a nurse, and a
    # change request
    settings.TIME_ZONE = time_zone
    plain, by_surgeon, change = cases_of_every_row_shape(make_case, imaging=imaging, surgeon=surgeon, reviewer=nurse)

    # When the office lists its cases
    body = api.as_user(provider).get("/api/v1/authorizations/").json()

    # Then each row is the serializer's, newest first, and the office sees no reviewer's name
    expected = serializer_rows(provider, AuthorizationRequest.objects.order_by("-received_at", "-id"))
    assert json.dumps(body["results"]) == json.dumps(expected)
    assert [row["id"] for row in body["results"]] == [str(change.pk), str(by_surgeon.pk), str(plain.pk)]
    assert all(row["assigned_to"] is None for row in body["results"])
    assert body["results"][0]["change_of"] == str(plain.pk)


def test_staff_list_pages_are_the_serializer_rows_and_show_the_reviewer(api, make_case, nurse):
    # Given 27 cases (a page is 25), one taken by the nurse
    cases = [make_case() for _ in range(27)]
    case_assign(case_id=cases[0].pk, actor=nurse)
    newest_first = list(AuthorizationRequest.objects.order_by("-received_at", "-id"))

    # When the nurse reads both pages
    first = api.as_user(nurse).get("/api/v1/authorizations/").json()
    second = api.as_user(nurse).get(first["next"]).json()

    # Then they are the serializer's rows, in order, the reviewer's username shown
    assert json.dumps(first["results"]) == json.dumps(serializer_rows(nurse, newest_first[:25]))
    assert json.dumps(second["results"]) == json.dumps(serializer_rows(nurse, newest_first[25:]))
    assert second["next"] is None
    assert [row["assigned_to"] for row in second["results"] + first["results"] if row["assigned_to"]] == ["nurse"]
