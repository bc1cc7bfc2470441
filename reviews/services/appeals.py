"""Deciding an appeal: by a physician who took no part in the decision appealed."""

from django.db import transaction
from django.utils import timezone

from cases import events
from cases.models import CaseEvent, CaseStatus
from criteria.services.versions import criteria_versions_lock
from reviews.models import Appeal, Decision, PeerToPeerRequest, ReasonCode
from um_portal.exceptions import Conflict, NotAllowed, NotFound, ValidationFailed
from um_portal.roles import Perm

from ..access import physician_license_for
from .common import case_for_action
from .decisions import _lines_resolve, criteria_resolve, decision_record
from .reasons import reason_code_resolve
from .signing import signature_verify

Outcome = Appeal.Outcome


def appeal_involved_user_ids(appeal: Appeal) -> set[int]:
    """Everyone who took part in the decision appealed: who decided it, the reviewer it was
    assigned to, anyone who acted on the case (routed, noted, pended, claimed) before the
    appeal was filed, and physicians who held a peer-to-peer talk on it. The appeals queue
    filters by the same rule: reviews.selectors.appeal_involvement_q."""
    involved = {appeal.decision_appealed.decided_by_id}
    if appeal.case.assigned_to_id:
        involved.add(appeal.case.assigned_to_id)
    involved |= set(
        CaseEvent.objects.filter(case_id=appeal.case_id, at__lte=appeal.filed_at, actor__isnull=False)
        .exclude(kind__in=[CaseEvent.Kind.SUBMITTED, CaseEvent.Kind.ATTACHMENT_ADDED])
        .values_list("actor_id", flat=True)
    )
    involved |= set(
        PeerToPeerRequest.objects.filter(case_id=appeal.case_id, physician__isnull=False).values_list(
            "physician_id", flat=True
        )
    )
    return involved


@transaction.atomic
def appeal_decide(
    *,
    appeal_id,
    actor,
    outcome: str,
    reason: str,
    criteria_ids=(),
    lines=None,
    password: str | None = None,
    expected_version: int | None = None,
    reason_code: str | None = None,
) -> Appeal:
    """Uphold, overturn or partially overturn the decision appealed. An upheld or partly
    overturned appeal cites a reason code (an overturn approves in full: X12 sends no HCR03
    reason with a certification in total, so the code is optional there). The appeal_decided
    event produces the appeal decision letters."""
    try:
        appeal_pk = int(appeal_id)
    except (TypeError, ValueError):
        raise NotFound("No such appeal.") from None
    case_id = Appeal.objects.filter(pk=appeal_pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise NotFound("No such appeal.")
    # Lock order everywhere: the case, then what hangs from it.
    case = case_for_action(actor=actor, case_id=case_id, need=Perm.APPEAL_DECIDE)
    appeal = Appeal.objects.select_for_update().select_related("decision_appealed", "case").get(pk=appeal_pk)
    if expected_version is not None and appeal.version != expected_version:
        raise Conflict("This appeal was changed by someone else. Review the new state and try again.", code="stale")
    if appeal.status != Appeal.Status.OPEN:
        raise Conflict(f"This appeal is already {appeal.get_status_display().lower()}.", code="appeal_closed")
    if actor.pk in appeal_involved_user_ids(appeal):
        raise NotAllowed(
            "You took part in the decision being appealed. An appeal must be decided by a physician who was "
            "not involved in it.",
            code="not_independent",
        )
    if outcome not in Outcome.values:
        raise ValidationFailed(
            "Choose the appeal outcome.", errors={"outcome": [f"One of: {', '.join(Outcome.values)}."]}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "Give the reason for the appeal decision.", errors={"reason": ["This field is required."]}
        )
    criteria = criteria_resolve(case=case, criteria_ids=criteria_ids)
    appealed = appeal.decision_appealed
    if outcome == Outcome.UPHELD and appealed.basis == Decision.Basis.MEDICAL_NECESSITY and not criteria:
        raise ValidationFailed("Cite the criteria used.", errors={"criteria_ids": ["Choose at least one."]})
    coded = None
    if outcome != Outcome.OVERTURNED or reason_code:
        basis = Decision.Basis.MEDICAL_NECESSITY if outcome == Outcome.PARTIALLY_OVERTURNED else appealed.basis
        coded = reason_code_resolve(code=reason_code, kind=ReasonCode.Kind.APPEAL, basis=basis)
    license_ = physician_license_for(actor, case)
    signature_verify(user=actor, password=password)

    now = timezone.now()
    if outcome == Outcome.OVERTURNED:
        approved = {line: line.units for line in case.lines.select_for_update().order_by("pk")}
        decision_record(
            case=case, actor=actor, outcome=Decision.Outcome.APPROVED, basis="", reason=reason,
            criteria=criteria, approved_units=approved, supersede=True,
        )  # fmt: skip
    elif outcome == Outcome.PARTIALLY_OVERTURNED:
        if case.status not in (CaseStatus.DENIED, CaseStatus.PARTIALLY_APPROVED):
            raise Conflict("Only a denial or partial approval can be partially overturned.")
        approved = _lines_resolve(case=case, lines=lines)
        if all(units == line.units for line, units in approved.items()) or all(u == 0 for u in approved.values()):
            raise ValidationFailed(
                "A partial overturn approves some but not all units: adjust the lines, or overturn or uphold.",
                errors={"lines": ["Approve some, not all, of the units."]},
            )
        decision_record(
            case=case, actor=actor, outcome=Decision.Outcome.PARTIALLY_APPROVED,
            basis=Decision.Basis.MEDICAL_NECESSITY, reason=reason, criteria=criteria,
            approved_units=approved, license_=license_, supersede=True, coded_reason=coded,
        )  # fmt: skip
    appeal.status = Appeal.Status.DECIDED
    appeal.outcome = outcome
    appeal.outcome_reason = reason
    appeal.decided_by = actor
    appeal.decided_at = now
    appeal.version += 1
    appeal.coded_reason = coded
    appeal.save(
        update_fields=["status", "outcome", "outcome_reason", "decided_by", "decided_at", "version", "coded_reason"]
    )
    appeal.criteria.set(criteria)
    criteria_versions_lock(versions=criteria, at=now)
    events.event_appeal_decided(case=case, actor=actor, appeal=appeal)
    return appeal
