"""Helpers for the auto-approval tests: rules made live through the real services
(written, simulated, switched on by a UM administrator)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from automation.services.rules import rule_version_create, rule_version_switch_on
from automation.services.simulate import simulation_request, simulation_run


def live_rule(admin, name="Knee arthroplasty", effective_from=date(2020, 1, 1), **conditions):
    version = rule_version_create(
        actor=admin, rule_name=name, conditions=conditions or {"codes": ["27447"]}, effective_from=effective_from
    )
    today = timezone.localdate()
    simulation = simulation_request(
        actor=admin, version_id=version.pk, period_start=today - timedelta(days=30), period_end=today
    )
    simulation_run(simulation_id=simulation.pk)
    return rule_version_switch_on(actor=admin, version_id=version.pk)


@pytest.fixture
def make_live_rule(admin_user):
    def _make(name="Knee arthroplasty", **conditions):
        return live_rule(admin_user, name=name, **conditions)

    return _make
