"""The turnaround rules and plan closures are kept in the process (every submit computes
clocks), and any change to them is seen by the next computation, however it was made."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases.deadlines.clocks import case_holidays, rules_in_effect
from cases.models import PlanClosure, TurnaroundPeriod, TurnaroundRule

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
NY = ZoneInfo("America/New_York")
RECEIVED = datetime(2026, 6, 1, 9, 0, tzinfo=NY)


def test_a_closure_added_after_the_tables_were_kept_counts_at_once():
    assert date(2026, 6, 5) not in case_holidays(RECEIVED)

    PlanClosure.objects.create(date=date(2026, 6, 5), name="Plan offsite")

    assert case_holidays(RECEIVED)[date(2026, 6, 5)] == "Plan offsite"


def test_a_rule_changed_behind_the_models_back_counts_at_once():
    def ncqa_standard_amount():
        ncqa = {r.code: r for r in rules_in_effect(RECEIVED.date())}["ncqa"]
        return next(p.amount for p in ncqa.periods if p.situation == "standard_pre_service")

    before = ncqa_standard_amount()
    # A queryset update sends no signal: the tables' digest still moves.
    TurnaroundPeriod.objects.filter(rule__code="ncqa", situation="standard_pre_service").update(amount=before + 1)

    assert ncqa_standard_amount() == before + 1
    TurnaroundRule.objects.filter(code="ncqa").update(name="NCQA UM 5 (renamed)")
    assert {r.code: r for r in rules_in_effect(RECEIVED.date())}["ncqa"].name == "NCQA UM 5 (renamed)"


def test_kept_tables_cost_one_small_statement(django_assert_num_queries):
    rules_in_effect(RECEIVED.date())
    case_holidays(RECEIVED)

    with django_assert_num_queries(1):
        assert rules_in_effect(RECEIVED.date())
    with django_assert_num_queries(1):
        case_holidays(RECEIVED)
