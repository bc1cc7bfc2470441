"""Turnaround rules are versioned by effective date, never changed retroactively."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.deadlines.clocks import rules_in_effect
from cases.models import TurnaroundPeriod, TurnaroundRule

pytestmark = pytest.mark.django_db


def test_shipped_rules_are_seeded():
    codes = {r.code for r in rules_in_effect(date(2026, 12, 1))}
    assert codes == {"cms_ma", "cms_medicaid", "ncqa", "ca_knox_keene", "md_insurance"}


def test_a_rule_in_effect_cannot_be_edited():
    rule = TurnaroundRule.objects.get(code="ncqa")
    rule.extension_amount = 30

    with pytest.raises(ValidationError):
        rule.full_clean()


def test_a_rule_in_effect_may_be_ended():
    rule = TurnaroundRule.objects.get(code="ncqa")
    rule.effective_to = timezone.localdate() + timedelta(days=30)

    rule.full_clean()


def test_a_new_version_cannot_start_in_the_past():
    rule = TurnaroundRule(code="ncqa", name="NCQA UM 5 (2027)", effective_from=timezone.localdate())

    with pytest.raises(ValidationError, match="never retroactively"):
        rule.full_clean()


def test_a_future_version_applies_from_its_effective_date():
    start = timezone.localdate() + timedelta(days=10)
    TurnaroundRule.objects.filter(code="ncqa").update(effective_to=start - timedelta(days=1))
    new = TurnaroundRule.objects.create(code="ncqa", name="NCQA UM 5 (new)", effective_from=start)
    TurnaroundPeriod.objects.create(rule=new, situation="standard_pre_service", amount=10, unit="calendar_days")

    before = {r.code: r for r in rules_in_effect(start - timedelta(days=1))}["ncqa"]
    after = {r.code: r for r in rules_in_effect(start)}["ncqa"]

    assert before.name == "NCQA UM 5"
    assert after.name == "NCQA UM 5 (new)"
    assert [(p.situation, p.amount) for p in after.periods] == [("standard_pre_service", 10)]
