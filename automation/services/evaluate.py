"""Evaluating the live rules at intake and approving a match.

Runs inside the submit transaction (hooked into the one intake service, so every door:
page, REST, FHIR PAS, staff entry of a fax). A match approves through the same decision
service as a nurse's approval: the decision row, per-line outcomes, pinned criteria, the
status change, the decision event and so the approval letters. Nothing here can deny,
reduce or delay: the only outcome written is a full approval, and no match (or any error)
leaves the case where it was, in the queue."""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases import events
from cases.models import CaseStatus
from cases.services.workflow import case_lock
from criteria.selectors import criteria_for_case
from reviews.models import Decision
from reviews.services.decisions import decision_record
from um_portal.exceptions import Conflict

from ..conditions import conditions_evaluate
from ..facts import case_facts, facts_queryset
from ..models import AutoApprovalRuleVersion, RuleEvaluation
from ..selectors import live_versions_on

log = logging.getLogger(__name__)

RULE_ACTOR_USERNAME = "auto-approval"


def rule_actor():
    """The account decisions by rule are recorded under: it cannot sign in (inactive, no
    password) and holds no role, so it can do nothing through any door."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=RULE_ACTOR_USERNAME,
        defaults={"first_name": "Auto-approval", "last_name": "rule", "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def rules_evaluate(*, case, checklist: dict | None = None, versions=None) -> tuple:
    """(matching version or None, results closest first). Pure reads; the case's facts are
    read only when some version is live."""
    day = timezone.localdate(case.received_at)
    versions = versions if versions is not None else live_versions_on(day)
    if not versions:
        return None, []
    facts = case_facts(case, checklist=checklist)
    results = []
    match = None
    for version in versions:
        passed, failed = conditions_evaluate(version.conditions, facts)
        results.append(
            {
                "rule": version.rule.name,
                "version": version.version,
                "version_id": version.pk,
                "passed": passed,
                "failed": failed,
            }
        )
        if not failed and match is None:
            match = version
    results.sort(key=lambda r: (r["version_id"] != getattr(match, "pk", None), len(r["failed"]), -len(r["passed"])))
    return match, results


def _summary(match, results) -> str:
    if match is not None:
        return f"Approved by rule {match.rule.name} version {match.version}."
    if not results:
        return "No auto-approval rule is live for this service: a reviewer decides."
    closest = results[0]
    return (
        f"No auto-approval rule matched. Closest rule: {closest['rule']} v{closest['version']}, "
        f"failed on {'; '.join(closest['failed'])}."
    )[:300]


def intake_evaluate(*, case, context: dict) -> RuleEvaluation | None:
    """The intake hook. Duplicates and continuation-of-care cases are left to people."""
    checklist = context.get("checklist") or {}
    now = timezone.now()
    if case.likely_duplicate_of_id or case.kind != case.Kind.PRIOR_AUTHORIZATION:
        return RuleEvaluation.objects.create(
            case=case,
            evaluated_at=now,
            outcome=RuleEvaluation.Outcome.NOT_EVALUATED,
            summary="Not evaluated by the auto-approval rules: possible duplicate or not a prior authorization.",
            checklist=checklist,
        )
    # The intake hands over the case with its lines, diagnoses and documents just written
    # (prefetched in memory): read again only what it does not carry.
    prefetched = getattr(case, "_prefetched_objects_cache", {})
    if {"lines", "diagnoses", "attachments"} <= set(prefetched):
        fresh = case
    else:
        fresh = facts_queryset().select_related("requesting_organization").get(pk=case.pk)
    match, results = rules_evaluate(case=fresh, checklist=checklist)
    evaluation = RuleEvaluation.objects.create(
        case=case,
        evaluated_at=now,
        outcome=RuleEvaluation.Outcome.APPROVED if match else RuleEvaluation.Outcome.NO_MATCH,
        matched_version=match,
        results=results[:5],
        summary=_summary(match, results),
        checklist=checklist,
    )
    if match is None:
        if results:  # with no live rule at all there is nothing to tell the nurse
            # Visible to the nurse on the timeline, not to the provider.
            events.event_note_added(case=case, actor=None, text=f"Auto-approval rules: {evaluation.summary}")
        return evaluation
    decision = case_approve_by_rule(case_id=case.pk, version=match, matched=results[0]["passed"])
    evaluation.decision = decision
    evaluation.save(update_fields=["decision"])
    case.refresh_from_db()
    return evaluation


@transaction.atomic
def case_approve_by_rule(*, case_id, version: AutoApprovalRuleVersion, matched: list[str]) -> Decision:
    """Approve every line in full, recorded as "approved by rule R version v" with the
    matched conditions, through the decision service; freeze the rule version."""
    if version.action != AutoApprovalRuleVersion.Action.APPROVE:  # the database refuses it too
        raise Conflict("A rule can only approve.", code="rule_cannot_deny")
    case = case_lock(case_id=case_id)
    if case.status != CaseStatus.RECEIVED:
        raise Conflict(f"Case {case.reference} is no longer waiting: a rule approves only on receipt.")
    lines = list(case.lines.select_for_update().order_by("pk"))
    approved = {line: line.units for line in lines}  # in full, never fewer
    now = timezone.now()
    reason = f"Approved by rule {version.rule.name} version {version.version}."
    decision = decision_record(
        case=case,
        actor=rule_actor(),
        outcome=Decision.Outcome.APPROVED,
        basis="",
        reason=reason,
        rationale="Conditions met: " + "; ".join(matched) + ".",
        criteria=criteria_for_case(case),
        approved_units=approved,
        automated=True,
    )
    events.event_decision_recorded(case=case, actor=decision.decided_by, decision=decision)
    AutoApprovalRuleVersion.objects.filter(pk=version.pk, locked_at__isnull=True).update(locked_at=now)
    log.info("Case %s approved by rule version %s.", case.pk, version.pk)
    return decision
