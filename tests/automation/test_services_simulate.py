"""Simulation over hand-made history: counts of matches and of matches people denied or
reduced (each listed); a second administrator signs off when there is any."""

from datetime import timedelta

import pytest
from django.utils import timezone

from automation.models import RuleStatus
from automation.services.rules import rule_version_create, rule_version_switch_on, rule_version_update
from automation.services.simulate import simulation_request, simulation_run
from cases.services.workflow import case_status_set
from reviews.services.decisions import case_approve, case_deny, case_partially_approve
from tests.conftest import PASSWORD
from um_portal.exceptions import Conflict, NotAllowed, ValidationFailed
from um_portal.roles import Role, user_set_role

from ..factories import CriteriaVersionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(make_case, nurse, physician):
    """Five decided cases of the period: 27447 x1 approved twice, denied once, reduced once
    (2 units -> 1), and one 97110 approved (another code)."""
    cases = {
        "approved1": make_case(),
        "approved2": make_case(),
        "denied": make_case(),
        "reduced": make_case(lines=_lines(units=2)),
        "other_code": make_case(lines=_lines(code="97110")),
        "open": make_case(),
    }
    case_approve(case_id=cases["approved1"].pk, actor=nurse)
    case_approve(case_id=cases["approved2"].pk, actor=nurse)
    case_approve(case_id=cases["other_code"].pk, actor=nurse)
    case_deny(
        reason_code="BN01", case_id=cases["denied"].pk, actor=nurse, basis="benefit", reason="Not a covered benefit."
    )
    line = cases["reduced"].lines.get()
    case_status_set(case=cases["reduced"], to_status="physician_review", actor=nurse)
    version = CriteriaVersionFactory(effective_from=timezone.localdate() - timedelta(days=400))
    case_partially_approve(
        reason_code="MN03",
        case_id=cases["reduced"].pk, actor=physician, reason="One unit is enough.", criteria_ids=[version.pk],
        lines=[{"id": str(line.pk), "approved_units": 1}], password=PASSWORD,
    )  # fmt: skip
    return cases


def _lines(code="27447", units=1):
    start = timezone.localdate() + timedelta(days=14)
    return [{"code_system": "CPT", "code": code, "units": units, "start_date": start, "end_date": start}]


def _simulate(admin, version):
    today = timezone.localdate()
    simulation = simulation_request(
        actor=admin, version_id=version.pk, period_start=today - timedelta(days=1), period_end=today
    )
    return simulation_run(simulation_id=simulation.pk)


def test_simulation_counts_matches_and_lists_the_human_denials_and_reductions(admin_user, history):
    version = rule_version_create(
        actor=admin_user, rule_name="Knee", conditions={"codes": ["27447"]}, effective_from=timezone.localdate()
    )

    result = _simulate(admin_user, version)

    assert (result.status, result.total, result.done, result.percent) == ("done", 5, 5, 100)
    assert (result.matched, result.human_denied, result.human_reduced) == (4, 1, 1)
    assert {c["reference"] for c in result.adverse_cases} == {history["denied"].reference, history["reduced"].reference}
    assert result.needs_signoff


def test_simulation_run_twice_does_nothing_the_second_time(admin_user, history):
    version = rule_version_create(
        actor=admin_user, rule_name="Knee", conditions={"codes": ["27447"]}, effective_from=timezone.localdate()
    )
    result = _simulate(admin_user, version)
    again = simulation_run(simulation_id=result.pk)
    assert (again.matched, again.finished_at) == (result.matched, result.finished_at)


def test_a_rule_whose_matches_people_denied_needs_a_second_administrator(admin_user, history):
    second = UserFactory(username="admin2")
    user_set_role(user=second, role=Role.ADMIN)
    version = rule_version_create(
        actor=admin_user, rule_name="Knee", conditions={"codes": ["27447"]}, effective_from=timezone.localdate()
    )
    _simulate(admin_user, version)

    version = rule_version_switch_on(actor=admin_user, version_id=version.pk)
    assert version.status == RuleStatus.AWAITING_SIGNOFF
    with pytest.raises(NotAllowed) as excinfo:
        rule_version_switch_on(actor=admin_user, version_id=version.pk)
    assert excinfo.value.code == "second_signoff_required"

    version = rule_version_switch_on(actor=second, version_id=version.pk)
    assert version.status == RuleStatus.LIVE and version.signed_off_by == second


def test_a_clean_simulation_goes_live_with_one_administrator(admin_user, history):
    version = rule_version_create(
        actor=admin_user, rule_name="PT", conditions={"codes": ["97110"]}, effective_from=timezone.localdate()
    )
    assert _simulate(admin_user, version).matched == 1
    assert rule_version_switch_on(actor=admin_user, version_id=version.pk).status == RuleStatus.LIVE


def test_switching_on_needs_a_simulation_of_the_conditions_as_they_now_read(admin_user):
    version = rule_version_create(
        actor=admin_user, rule_name="PT", conditions={"codes": ["97110"]}, effective_from=timezone.localdate()
    )
    with pytest.raises(Conflict):
        rule_version_switch_on(actor=admin_user, version_id=version.pk)
    _simulate(admin_user, version)
    rule_version_update(actor=admin_user, version_id=version.pk, conditions={"codes": ["97110"], "max_units": 3})
    with pytest.raises(Conflict) as excinfo:
        rule_version_switch_on(actor=admin_user, version_id=version.pk)
    assert excinfo.value.code == "simulation_required"


def test_a_nurse_cannot_write_or_simulate_rules(nurse, admin_user):
    with pytest.raises(NotAllowed):
        rule_version_create(
            actor=nurse, rule_name="PT", conditions={"codes": ["97110"]}, effective_from=timezone.localdate()
        )
    version = rule_version_create(
        actor=admin_user, rule_name="PT", conditions={"codes": ["97110"]}, effective_from=timezone.localdate()
    )
    with pytest.raises(NotAllowed):
        simulation_request(actor=nurse, version_id=version.pk, period_start=None, period_end=None)


def test_a_reversed_period_is_refused(admin_user):
    version = rule_version_create(
        actor=admin_user, rule_name="PT", conditions={"codes": ["97110"]}, effective_from=timezone.localdate()
    )
    today = timezone.localdate()
    with pytest.raises(ValidationFailed):
        simulation_request(actor=admin_user, version_id=version.pk, period_start=today, period_end=today - timedelta(1))
