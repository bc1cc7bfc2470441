"""Auto-approval at intake: every condition kind, approval through the decision service,
no match leaves the case queued with the closest rule for the nurse, and a rule can never
deny (service, database, API, admin)."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from automation.conditions import conditions_evaluate
from automation.facts import case_facts
from automation.models import AutoApprovalRule, AutoApprovalRuleVersion, GoldCardPolicy, GoldCardStatus, RuleEvaluation
from automation.services.evaluate import rules_evaluate
from automation.services.rules import rule_version_create, rule_version_update
from cases.models import CaseEvent
from cases.services.intake import authorization_submit
from cases.services.workflow import case_lock
from reviews.models import Decision
from reviews.services.decisions import decision_record
from um_portal.exceptions import Conflict, ValidationFailed

from ..factories import CoverageFactory, CriteriaVersionFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _submit(user, member, org, *, code="27447", units=1, days=1, dx="M17.11", pos="22", **extra):
    start = timezone.localdate() + timedelta(days=14)
    return authorization_submit(
        user=user,
        member_number=member.member_number,
        member_date_of_birth=member.date_of_birth,
        requesting_provider_npi=org.npi,
        servicing_provider_npi=org.npi,
        service_category="outpatient_procedure",
        diagnosis_codes=[dx],
        lines=[
            {
                "code_system": "CPT",
                "code": code,
                "units": units,
                "start_date": start,
                "end_date": start + timedelta(days=days - 1),
            }
        ],
        place_of_service=pos,
        **extra,
    )


def test_a_matching_request_is_approved_at_once_by_the_rule_through_the_decision_service(
    provider, member, ortho, make_live_rule
):
    criteria = CriteriaVersionFactory(effective_from=date(2020, 1, 1))
    criteria.criteria_set.codes.create(code_system="CPT", code="27447")
    version = make_live_rule(codes=["27447"], diagnoses=["M17"])

    case = _submit(provider, member, ortho)

    assert case.status == "approved" and case.decided_at is not None
    decision = Decision.objects.get(case=case)
    assert decision.reason == f"Approved by rule Knee arthroplasty version {version.version}."
    assert "codes in 27447" in decision.rationale and "diagnosis in M17" in decision.rationale
    assert list(decision.criteria.all()) == [criteria]  # pinned
    criteria.refresh_from_db()
    assert criteria.is_locked
    assert [(line.outcome, line.approved_units) for line in case.lines.all()] == [("approved", 1)]
    kinds = list(case.events.values_list("kind", flat=True))
    assert CaseEvent.Kind.DECISION_RECORDED in kinds and CaseEvent.Kind.STATUS_CHANGED in kinds
    evaluation = RuleEvaluation.objects.get(case=case)
    assert (evaluation.outcome, evaluation.matched_version, evaluation.decision) == ("approved", version, decision)
    version.refresh_from_db()
    assert version.is_locked


def test_no_match_leaves_the_case_queued_with_the_closest_rule_for_the_nurse(provider, member, ortho, make_live_rule):
    make_live_rule(codes=["27447"], max_units=12)
    make_live_rule(name="Other", codes=["97110"])

    case = _submit(provider, member, ortho, units=14)

    assert case.status == "received" and not Decision.objects.filter(case=case).exists()
    evaluation = RuleEvaluation.objects.get(case=case)
    assert evaluation.outcome == "no_match"
    assert evaluation.summary == (
        "No auto-approval rule matched. Closest rule: Knee arthroplasty v1, failed on units 14 > 12 (line 1)."
    )
    note = case.events.get(kind=CaseEvent.Kind.NOTE_ADDED)
    assert "failed on units 14 > 12" in note.message and not note.provider_visible


def test_expedited_requests_are_evaluated_too(provider, member, ortho, make_live_rule):
    make_live_rule(codes=["27447"])
    case = _submit(provider, member, ortho, urgency="expedited", expedited_reason="Severe pain, cannot walk.")
    assert case.status == "approved"


def test_a_likely_duplicate_is_left_to_a_person(provider, member, ortho, make_live_rule):
    _submit(provider, member, ortho)  # no rule yet: stays open
    make_live_rule(codes=["27447"])
    case = _submit(provider, member, ortho, confirm_duplicate=True)
    assert case.status == "received"
    assert RuleEvaluation.objects.get(case=case).outcome == "not_evaluated"


@pytest.fixture
def facts_for(provider, ortho):
    def _facts(member=None, **kwargs):
        if member is None:
            member = MemberFactory()
            CoverageFactory(member=member)
        case = _submit(provider, member, ortho, **kwargs)
        return case_facts(case, checklist=kwargs.get("checklist"))

    return _facts


@pytest.mark.parametrize(
    ("conditions", "submit", "fails_with"),
    [
        ({"codes": ["27440-27450"]}, {"code": "27456"}, "code 27456 not in 27440-27450"),
        ({"diagnoses": ["M16.0-M16.9"]}, {"dx": "M17.11"}, "no diagnosis in M16.0-M16.9"),
        ({"lines_of_business": ["medicaid"]}, {}, "line of business commercial not medicaid"),
        ({"states": ["VA"]}, {}, "state MD not VA"),
        ({"places_of_service": ["11"]}, {"pos": "22"}, "place of service 22 not 11"),
        ({"max_units": 12}, {"units": 13}, "units 13 > 12 (line 1)"),
        ({"max_days": 30}, {"days": 31}, "31 days > 30 (line 1)"),
        ({"network_status": "out_of_network"}, {}, "provider in network, not out of network"),
        ({"gold_card": True}, {}, "not gold-carded"),
        ({"documents": ["X-ray report"]}, {}, "missing document: X-ray report"),
        (
            {"checklist": {"criteria_set": "Knee", "indications": ["BMI under 40"]}},
            {"checklist": {"Knee": ["Other item"]}},
            "checklist item not met: BMI under 40",
        ),
    ],
)
def test_every_condition_kind_fails_with_a_sentence_and_passes_when_met(facts_for, conditions, submit, fails_with):
    conditions = {"codes": ["27440-27460"], **conditions} if "codes" not in conditions else conditions
    facts = facts_for(**submit)
    _passed, failed = conditions_evaluate(conditions, facts)
    assert failed == [fails_with]


def test_conditions_that_hold_all_pass(facts_for, ortho):
    policy = GoldCardPolicy.objects.create(version=1, effective_from=date(2020, 1, 1))
    GoldCardStatus.objects.create(
        organization=ortho,
        code_group="outpatient_procedure",
        status="granted",
        since=timezone.now(),
        policy=policy,
        evaluated_at=timezone.now(),
    )
    facts = facts_for(checklist={"Knee": ["BMI under 40"]}, units=2, days=3)
    conditions = {
        "codes": ["27447"],
        "diagnoses": ["M17"],
        "lines_of_business": ["commercial"],
        "states": ["MD"],
        "places_of_service": ["22"],
        "max_units": 2,
        "max_days": 3,
        "network_status": "in_network",
        "gold_card": True,
        "checklist": {"criteria_set": "Knee", "indications": ["BMI under 40"]},
    }
    passed, failed = conditions_evaluate(conditions, facts)
    assert failed == [] and len(passed) == len(conditions)


def test_required_document_attached_at_intake_lets_the_rule_approve(provider, member, ortho, make_live_rule):
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_live_rule(codes=["27447"], documents=["x-ray"])
    pdf = SimpleUploadedFile("knee x-ray report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    case = _submit(provider, member, ortho, documents=[pdf])
    assert case.status == "approved"


def test_a_rule_can_never_deny_service_database(admin_user):
    before = AutoApprovalRuleVersion.objects.count()
    with pytest.raises(ValidationFailed) as excinfo:
        rule_version_create(
            actor=admin_user, rule_name="Deny", conditions={"codes": ["27447"]}, effective_from=date(2026, 1, 1),
            action="deny",
        )  # fmt: skip
    assert excinfo.value.code == "rule_cannot_deny"
    assert AutoApprovalRuleVersion.objects.count() == before and not AutoApprovalRule.objects.exists()
    rule = AutoApprovalRule.objects.create(name="Sneaky")
    with pytest.raises(IntegrityError), transaction.atomic():
        AutoApprovalRuleVersion.objects.create(
            rule=rule, version=1, conditions={"codes": ["27447"]}, action="deny", effective_from=date(2026, 1, 1)
        )


@pytest.mark.parametrize(
    ("conditions", "field", "words"),
    [
        ({}, "conditions", 'at least {"codes"'),
        ({"max_units": 12}, "codes", "would approve any service"),
        ({"codes": []}, "codes", "empty list would match nothing"),
        ({"codes": ["2744X"]}, "codes", "not a known CPT or HCPCS code"),
        ({"codes": ["27447"], "diagnoses": ["123"]}, "diagnoses", "not an ICD-10-CM code"),
        ({"codes": ["27447"], "max_units": 0}, "max_units", "0 or less would match nothing"),
        ({"codes": ["27447"], "gold_card": True, "network_status": "out_of_network"}, "conditions", "Contradictory"),
        ({"codes": ["27447"], "gold_card": False}, "gold_card", "can only be true"),
        ({"codes": ["27447"], "units_over": 3}, "conditions", "Unknown condition"),
        ({"codes": ["27447"], "checklist": {"criteria_set": "Nope", "indications": ["x"]}}, "checklist", "No criteria"),
    ],
)
def test_bad_conditions_are_refused_with_a_clear_error_and_nothing_saved(admin_user, conditions, field, words):
    with pytest.raises(ValidationFailed) as excinfo:
        rule_version_create(actor=admin_user, rule_name="Bad", conditions=conditions, effective_from=date(2026, 1, 1))
    assert any(words in message for message in excinfo.value.errors[field]), excinfo.value.errors
    assert not AutoApprovalRule.objects.exists() and not AutoApprovalRuleVersion.objects.exists()


def test_overlapping_draft_versions_are_refused(admin_user):
    rule_version_create(
        actor=admin_user, rule_name="R", conditions={"codes": ["27447"]}, effective_from=date(2026, 1, 1)
    )
    with pytest.raises(ValidationFailed) as excinfo:
        rule_version_create(
            actor=admin_user, rule_name="R", conditions={"codes": ["27447"]}, effective_from=date(2026, 3, 1)
        )
    assert "overlap" in excinfo.value.message
    assert AutoApprovalRuleVersion.objects.count() == 1


def test_a_version_used_in_a_decision_is_frozen(provider, member, ortho, make_live_rule, admin_user):
    version = make_live_rule(codes=["27447"])
    _submit(provider, member, ortho)
    with pytest.raises(Conflict) as excinfo:
        rule_version_update(actor=admin_user, version_id=version.pk, conditions={"codes": ["27446"]})
    assert excinfo.value.code == "rule_locked"
    version.refresh_from_db()
    assert version.conditions == {"codes": ["27447"]}


def test_rules_evaluate_orders_results_closest_first(provider, member, ortho, make_live_rule):
    make_live_rule(name="A far", codes=["97110"], max_units=1)
    make_live_rule(name="B near", codes=["27447"], max_units=1)
    case = _submit(provider, member, ortho, units=3)
    match, results = rules_evaluate(case=case)
    assert match is None and results[0]["rule"] == "B near"


def test_rule_decisions_are_counted_as_automated_on_the_dashboard(provider, member, ortho, make_live_rule, nurse):
    from reviews.models import CaseDayRollup
    from reviews.reporting.rollups import local_day, rollup_days_rebuild

    make_live_rule(codes=["27447"])
    by_rule = _submit(provider, member, ortho)
    by_nurse = _submit(provider, member, ortho, code="29881")
    assert by_nurse.status == "received"
    decision_record(
        case=case_lock(case_id=by_nurse.pk),
        actor=nurse,
        outcome=Decision.Outcome.APPROVED,
        basis="",
        reason="Meets criteria.",
        criteria=[],
        approved_units={line: line.units for line in by_nurse.lines.all()},
    )

    assert Decision.objects.get(case=by_rule).automated is True
    assert Decision.objects.get(case=by_nurse).automated is False
    today = local_day(timezone.now())
    rollup_days_rebuild(days=[today])
    totals = CaseDayRollup.objects.filter(day=today).aggregate(decided=Sum("decided"), auto=Sum("auto_decided"))
    assert totals == {"decided": 2, "auto": 1}
