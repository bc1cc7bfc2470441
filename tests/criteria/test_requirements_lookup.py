"""Coverage requirements: versioned data with effective dates, the lookup (service, API,
page), the public list, and bad input refused with nothing saved."""

from datetime import date, timedelta

import pytest

from cases.models import LineOfBusiness
from criteria.codes import LINES_OF_BUSINESS
from criteria.models import CoverageRequirement, CriteriaSet
from criteria.selectors_requirements import coverage_requirement_answer
from criteria.services.requirements import coverage_requirement_save
from um_portal.exceptions import ValidationFailed

from ..factories import CriteriaVersionFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)


def _requirement(**overrides):
    fields = {
        "policy": "knee-arthroplasty",
        "version": 1,
        "service": "Total knee replacement",
        "codes": ["27447"],
        "effective_from": date(2026, 1, 1),
        "documentation": ["Weight-bearing knee X-ray report", "Notes on 12 weeks of conservative care"],
    }
    fields.update(overrides)
    return coverage_requirement_save(**fields)


def test_line_of_business_values_match_the_case_model():
    assert tuple(LINES_OF_BUSINESS) == tuple(LineOfBusiness.values)


def test_code_in_a_published_range_is_required_with_documentation_and_criteria_in_force():
    version = CriteriaVersionFactory(effective_from=date(2025, 1, 1))
    req = _requirement(codes=["97110-97140"], criteria_sets=[version.criteria_set])

    answer = coverage_requirement_answer(code="97112", on=DAY)

    assert answer.status == "required"
    assert [m.requirement for m in answer.matches] == [req]
    assert answer.documentation == req.documentation
    assert answer.matches[0].criteria == [version]
    assert coverage_requirement_answer(code="97150", on=DAY).status == "not_required"


def test_conditions_not_given_make_it_required_only_when_and_given_ones_settle_it():
    _requirement(lines_of_business=["medicare_advantage"], places_of_service=["22"])

    open_answer = coverage_requirement_answer(code="27447", on=DAY)
    assert open_answer.status == "required_only_when"
    assert "Medicare Advantage" in open_answer.summary and "22" in open_answer.summary

    ma = "medicare_advantage"
    yes = coverage_requirement_answer(code="27447", on=DAY, line_of_business=ma, place_of_service="22")
    assert yes.status == "required"
    no = coverage_requirement_answer(code="27447", on=DAY, line_of_business="commercial")
    assert no.status == "not_required"
    no_pos = coverage_requirement_answer(code="27447", on=DAY, line_of_business=ma, place_of_service="11")
    assert no_pos.status == "not_required"


def test_state_and_network_status_conditions():
    _requirement(states=["CA"], network_status="out_of_network")
    assert coverage_requirement_answer(code="27447", on=DAY, state="CA", network_status="out_of_network").status == (
        "required"
    )
    assert coverage_requirement_answer(code="27447", on=DAY, state="MD").status == "not_required"
    assert coverage_requirement_answer(code="27447", on=DAY, state="CA", network_status="in_network").status == (
        "not_required"
    )


def test_versions_take_effect_on_their_dates():
    _requirement(effective_to=date(2026, 6, 30))
    _requirement(version=2, codes=["27446-27447"], effective_from=date(2026, 7, 1))

    assert coverage_requirement_answer(code="27446", on=date(2026, 6, 30)).status == "not_required"
    assert coverage_requirement_answer(code="27446", on=date(2026, 7, 1)).status == "required"
    june = coverage_requirement_answer(code="27447", on=date(2026, 6, 30)).matches[0].requirement
    assert june.version == 1


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"codes": ["2744"]}, "codes", "not a known CPT or HCPCS code"),
        ({"codes": ["27447-27440"]}, "codes", "ends before it starts"),
        ({"codes": ["27447-E0601"]}, "codes", "one code system"),
        ({"codes": []}, "codes", "at least one"),
        ({"lines_of_business": ["medicare"]}, "lines_of_business", "Unknown line of business"),
        ({"states": ["XX"]}, "states", "Unknown state"),
        ({"places_of_service": ["1"]}, "places_of_service", "not a place of service"),
        ({"effective_to": date(2025, 1, 1)}, "effective_to", "ends before it starts"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(overrides, field, words):
    with pytest.raises(ValidationFailed) as excinfo:
        _requirement(**overrides)
    assert any(words in message for message in excinfo.value.errors[field])
    assert not CoverageRequirement.objects.exists()


def test_overlapping_versions_of_a_policy_are_refused():
    _requirement()  # open-ended from 2026-01-01
    with pytest.raises(ValidationFailed) as excinfo:
        _requirement(version=2, effective_from=date(2026, 3, 1))
    assert "overlap" in excinfo.value.errors["effective_from"][0]
    assert CoverageRequirement.objects.count() == 1


def test_api_answers_with_documentation_and_criteria(api, provider):
    version = CriteriaVersionFactory(effective_from=date(2025, 1, 1))
    _requirement(states=["MD"], criteria_sets=[version.criteria_set])

    response = api.as_user(provider).get(
        "/api/v1/coverage-requirements/", {"code": "27447", "state": "MD", "on": "2026-06-01"}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "required"
    assert body["documentation"][0] == "Weight-bearing knee X-ray report"
    assert body["requirements"][0]["criteria"][0]["name"] == version.criteria_set.name
    assert body["requirements"][0]["policy"] == "knee-arthroplasty" and body["requirements"][0]["version"] == 1


def test_api_refuses_an_unknown_code_with_a_clear_400(api, provider):
    response = api.as_user(provider).get("/api/v1/coverage-requirements/", {"code": "ABCDE"})
    assert response.status_code == 400
    assert "not a CPT or HCPCS code" in str(response.json())


def test_public_list_needs_no_login_and_lists_what_is_in_force(client, django_assert_num_queries):
    CriteriaSet.objects.create(name="Knee criteria", source="internal")
    _requirement(criteria_sets=list(CriteriaSet.objects.all()))
    _requirement(policy="old-mri", service="Lumbar MRI", codes=["72148"], effective_to=date.today() - timedelta(days=1),
                 effective_from=date(2020, 1, 1))  # fmt: skip

    # 1 requirements in force, 2 their criteria sets (anonymous: no session or nav queries).
    with django_assert_num_queries(2):
        response = client.get("/criteria/prior-authorization-list/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Total knee replacement" in html and "27447" in html and "Knee criteria" in html
    assert "Lumbar MRI" not in html


def test_lookup_page_shows_required_only_when(client, provider):
    _requirement(places_of_service=["22"])
    client.force_login(provider)

    html = client.get("/criteria/requirements/", {"code": "27447"}).content.decode()

    assert 'data-status="required_only_when"' in html
    assert "place of service is 22" in html
    assert "Weight-bearing knee X-ray report" in html
