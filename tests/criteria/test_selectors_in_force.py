from datetime import date

import pytest

from criteria.models import CriteriaCode
from criteria.selectors import criteria_for_case, criteria_for_decision, criteria_in_force
from reviews.models import Decision
from tests.factories import CriteriaVersionFactory, criteria_for_code

pytestmark = pytest.mark.django_db


def test_version_in_force_on_the_date_of_service_is_chosen():
    old = criteria_for_code("27447", version="2025.1", effective_from=date(2025, 1, 1), effective_to=date(2025, 12, 31))
    new = CriteriaVersionFactory(criteria_set=old.criteria_set, version="2026.1", effective_from=date(2026, 1, 1))

    assert criteria_in_force(on=date(2025, 6, 1), codes=["27447"]) == [old]
    assert criteria_in_force(on=date(2026, 6, 1), codes=["27447"]) == [new]
    assert criteria_in_force(on=date(2024, 6, 1), codes=["27447"]) == []


def test_other_codes_do_not_match_and_service_category_does():
    criteria_for_code("72148")
    by_category = CriteriaVersionFactory()
    CriteriaCode.objects.create(criteria_set=by_category.criteria_set, service_category="outpatient_procedure")

    found = list(criteria_in_force(on=date(2026, 6, 1), codes=["27447"], service_categories=["outpatient_procedure"]))

    assert found == [by_category]


def test_a_set_with_two_codes_is_listed_once():
    version = criteria_for_code("27447")
    CriteriaCode.objects.create(criteria_set=version.criteria_set, code_system="CPT", code="27446")

    assert criteria_in_force(on=date(2026, 6, 1), codes=["27447", "27446"]) == [version]


def test_criteria_for_case_uses_each_line_start_date(make_case):
    version = criteria_for_code("27447", effective_from=date(2020, 1, 1))
    case = make_case()

    assert criteria_for_case(case) == [version]


def test_criteria_for_decision_returns_exactly_the_pinned_versions(make_case, nurse):
    pinned = criteria_for_code("27447", effective_from=date(2020, 1, 1))
    criteria_for_code("27447", effective_from=date(2020, 1, 1))  # also in force, not used
    case = make_case()
    decision = Decision.objects.create(case=case, outcome="approved", decided_by=nurse, decided_at=case.received_at)
    decision.criteria.add(pinned)

    assert criteria_for_decision(decision) == [pinned]


def test_a_newer_version_replaces_an_open_ended_older_one():
    old = criteria_for_code("27447", version="2025.1", effective_from=date(2025, 1, 1))
    new = CriteriaVersionFactory(criteria_set=old.criteria_set, version="2026.1", effective_from=date(2026, 3, 1))

    assert criteria_in_force(on=date(2026, 2, 28), codes=["27447"]) == [old]
    assert criteria_in_force(on=date(2026, 3, 1), codes=["27447"]) == [new]
