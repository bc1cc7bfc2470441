"""GET /api/v1/referral-options/ (issue 20, item 2): scoping, bad input (never a 500),
nearest first, cursor pagination and its query count."""

from datetime import date

import pytest
import time_machine

from cases.models import PracticeLocation
from tests.directory_factories import CARDIOLOGY, cardiologist_at
from um_portal.models import AccessLog

pytestmark = [pytest.mark.django_db]

URL = "/api/v1/referral-options/"
DAY = "2026-06-01"


@pytest.fixture(autouse=True)
def _on_a_weekday():
    # The member's coverage and the network periods are read for today.
    with time_machine.travel(date(2026, 6, 1), tick=False):
        yield


@pytest.fixture
def cardiologists():
    """From the member's Baltimore 21201: Charles 21218 (~3 mi), Towson 21204 (~8 mi),
    Annapolis 21401 (~24 mi); an out-of-network one at 21202 (~1 mi)."""
    cardiologist_at("21401", last_name="Annapolis")
    cardiologist_at("21204", last_name="Towson")
    cardiologist_at("21202", status="out_of_network", last_name="Outside")
    cardiologist_at("21218", last_name="Charles")


def query(member, **params):
    base = {"specialty": CARDIOLOGY, "member_number": member.member_number, "member_date_of_birth": "1961-04-02"}
    return {**base, **params}


def last_names(response):
    return [row["practitioner"].split(",")[0].split()[-1] for row in response.json()["results"]]


def test_provider_gets_in_network_options_nearest_from_the_members_zip(api, provider, member, cardiologists):
    response = api.as_user(provider).get(URL, query(member))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert last_names(response) == ["Charles", "Towson", "Annapolis"]
    first = body["results"][0]
    assert first["network"] == "contracted" and first["zip"] == "21218"
    assert first["specialties"] == ["Cardiovascular Disease Physician"]
    assert first["accepting_new_patients"] is True and first["phone"] == "410-555-0100"
    assert 0 < first["distance_miles"] < body["results"][1]["distance_miles"]
    assert set(body) == {"next", "previous", "results", "notes", "search", "servicing"}
    assert body["search"]["near_zip"] == "21201" and body["search"]["line_of_business"] == "commercial"
    assert AccessLog.objects.filter(user=provider, how="api", object_kind="member").count() == 1


def test_the_chosen_servicing_provider_is_said_out_of_network_with_its_distance(api, provider, member, cardiologists):
    outside = PracticeLocation.objects.get(zip_code="21202").practitioners.get()

    response = api.as_user(provider).get(URL, query(member, servicing_npi=outside.npi))

    servicing = response.json()["servicing"]
    assert servicing["network"] == "out_of_network" and servicing["in_network"] is False
    assert "may pay more" in servicing["meaning"] and servicing["distance_miles"] < 2


def test_cursor_pages_cover_every_option_once(api, nurse, member, cardiologists):
    api.as_user(nurse)
    first = api.get(URL, query(member, page_size=2)).json()
    second = api.get(first["next"]).json()

    assert [r["zip"] for r in first["results"] + second["results"]] == ["21218", "21204", "21401"]
    assert second["next"] is None


def test_provider_must_give_the_date_of_birth_and_a_wrong_one_is_not_found(api, provider, member, cardiologists):
    api.as_user(provider)

    missing = api.get(URL, {"specialty": CARDIOLOGY, "member_number": member.member_number})
    wrong = api.get(URL, query(member, member_date_of_birth="1961-04-03"))

    assert missing.status_code == 400 and "member_date_of_birth" in missing.json()["errors"]
    assert wrong.status_code == 404 and wrong.json()["code"] == "not_found"
    assert not AccessLog.objects.filter(user=provider).exists()


def test_staff_name_a_member_by_number_alone(api, nurse, member, cardiologists):
    response = api.as_user(nurse).get(URL, {"specialty": CARDIOLOGY, "member_number": member.member_number})
    assert response.status_code == 200 and len(response.json()["results"]) == 3


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"specialty": "999ZZ0000X"}, "specialty", "unknown_specialty"),
        ({"specialty": "cardiology"}, "specialty", "unknown_specialty"),
        ({"near_zip": "00001"}, "near_zip", "unknown_zip"),
        ({"near_zip": "ABCDE"}, "near_zip", "unknown_zip"),
        ({"near_zip": "9" * 11}, "near_zip", "invalid"),
        ({"specialty": "", "service_code": ""}, "specialty", "invalid"),
        ({"service_code": "70-51"}, "service_code", "invalid"),
        ({"service_code": "7055\u0000"}, None, None),  # refused before the view, still 400
        ({"on": "2026-02-30"}, "on", "invalid"),
        ({"line_of_business": "gold"}, "line_of_business", "invalid"),
    ],
)
def test_bad_input_is_400_with_a_clear_message(api, provider, member, params, field, code):
    response = api.as_user(provider).get(URL, query(member, **params))

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"]
    if field:
        assert field in body["errors"] and body["code"] == code


def test_location_without_coordinates_is_listed_last_without_distance(api, provider, member, cardiologists):
    PracticeLocation.objects.filter(zip_code="21218").update(latitude=None, longitude=None)

    response = api.as_user(provider).get(URL, query(member))

    assert last_names(response) == ["Towson", "Annapolis", "Charles"]
    assert response.json()["results"][-1]["distance_miles"] is None


def test_member_zip_unknown_lists_without_distance_and_says_so(api, provider, member, cardiologists):
    member.postal_code = "00001"
    member.save(update_fields=["postal_code"])

    response = api.as_user(provider).get(URL, query(member))

    assert response.status_code == 200
    assert {r["distance_miles"] for r in response.json()["results"]} == {None}
    assert "not in the ZIP data" in response.json()["notes"][0]


def test_anonymous_is_refused(api):
    assert api.get(URL, {"specialty": CARDIOLOGY, "near_zip": "21201"}).status_code == 401


def test_query_count_is_constant(api, provider, member, django_assert_num_queries):
    for zip_code in ("21202", "21204", "21218", "21401", "21044", "20850"):
        cardiologist_at(zip_code)
    api.as_user(provider)
    provider._um_role = "unset"
    # 1 the user's role groups (user_role)
    # 2 the member by number and date of birth; 3 their coverages (line of business)
    # 4 the access-log insert (the member read)
    # 5 the specialty code
    # 6-11 the page of options (network status and distance computed in the query): one
    #   query per radius around the ZIP (10, 25, 50, 100, 250 miles) until one holds the
    #   page and the option after it; these six options do not fill a page of 20, so every
    #   radius is tried, then the whole directory
    # 12 the specialties of the page's practitioners
    with django_assert_num_queries(12):
        response = api.get(URL, query(member))
    assert response.status_code == 200 and len(response.json()["results"]) == 6


CONTRACT_KEYS = {
    "organization", "practitioner", "network", "specialties", "address", "zip", "distance_miles",
    "accepting_new_patients", "phone", "npi",
}  # fmt: skip


def test_contract_names_only_in_the_request_and_the_contracts_keys_in_each_result(api, nurse, member, cardiologists):
    # API.md "Referral options": specialty, service_code, member_number, near_zip (staff).
    response = api.as_user(nurse).get(
        URL, {"specialty": CARDIOLOGY, "member_number": member.member_number, "near_zip": "21201"}
    )

    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert results
    for row in results:
        assert CONTRACT_KEYS <= set(row)
        assert row["network"] in ("plan_medical_center", "contracted", "out_of_network")
        assert isinstance(row["specialties"], list) and isinstance(row["accepting_new_patients"], bool)
    distances = [row["distance_miles"] for row in results]
    assert distances == sorted(distances)


@pytest.mark.parametrize("params", [{"specialty": "000NOTREAL"}, {"specialty": CARDIOLOGY, "near_zip": "00000"}])
def test_contract_an_unknown_specialty_or_zip_is_400(api, nurse, member, cardiologists, params):
    response = api.as_user(nurse).get(URL, params)

    assert response.status_code == 400, response.json()
