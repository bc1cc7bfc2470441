"""Deciding a case: approve, deny, partially approve.

Who may decide what is RULES.md section 3, enforced here so that every door (page, API,
admin, shell) obeys it: a nurse may approve in full and deny on benefit or administrative
grounds; a denial or partial approval on medical necessity needs a physician with a license
active in the member's state on the decision date, the criteria used, and a signature.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import events
from cases.deadlines.clocks import case_notice_due_compute
from cases.models import AuthorizationRequest, ServiceLine
from cases.services import stays
from cases.services.workflow import case_status_set, transition_allowed
from criteria.models import CriteriaVersion
from criteria.selectors import criteria_version_in_force_on
from criteria.services.versions import criteria_versions_lock
from reviews.models import Decision, PhysicianLicense, ReasonCode
from um_portal.exceptions import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from um_portal.roles import Perm, user_can

from ..access import MEDICAL_NECESSITY_REFUSED, case_for_physician, physician_license_for
from .authorization_changes import authorization_change_apply
from .authorizations import authorization_issue
from .common import case_for_action, require_open
from .reasons import reason_code_resolve
from .referral_close import referral_review_close_on_decision
from .signing import signature_verify
from .worksheets import worksheets_freeze

Basis = Decision.Basis
Outcome = Decision.Outcome
LineOutcome = ServiceLine.Outcome
ReasonKind = ReasonCode.Kind


def criteria_resolve(*, case: AuthorizationRequest, criteria_ids) -> list[CriteriaVersion]:
    """The cited criteria versions; each must exist and be in force on a line's date of service."""
    ids = []
    for raw in criteria_ids or []:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            raise ValidationFailed(
                "Unknown criteria.", errors={"criteria_ids": [f"{raw!r} is not a criteria id."]}
            ) from None
    versions = list(CriteriaVersion.objects.filter(pk__in=ids).select_related("criteria_set"))
    if len(versions) != len(set(ids)):
        raise ValidationFailed("Unknown criteria.", errors={"criteria_ids": ["One or more criteria do not exist."]})
    dates = {line.start_date for line in case.lines.all()}
    for version in versions:
        in_force = any(criteria_version_in_force_on(version, day) for day in dates)
        if not in_force:
            raise ValidationFailed(
                f"{version} is not in force on the date of service.",
                errors={
                    "criteria_ids": [f"{version} is not in force on the date of service; cite the version that is."]
                },
            )
    return versions


def _lines_resolve(*, case: AuthorizationRequest, lines) -> dict:
    """{line: approved_units} for every line of the case; lines not listed keep their requested units."""
    # Lines the requester cancelled before the decision are not decided.
    by_id = {
        str(line.pk): line for line in case.lines.select_for_update().filter(cancelled_at__isnull=True).order_by("pk")
    }
    approved = {line: line.units for line in by_id.values()}
    for item in lines or []:
        line = by_id.get(str(item.get("id")))
        if line is None:
            raise ValidationFailed(
                "Unknown service line.", errors={"lines": [f"Line {item.get('id')} is not on this case."]}
            )
        try:
            units = int(item.get("approved_units"))
        except (TypeError, ValueError):
            raise ValidationFailed(
                "Give approved units per line.", errors={"lines": ["approved_units must be a number."]}
            ) from None
        if not 0 <= units <= line.units:
            raise ValidationFailed(
                f"Line {line.line_number}: approve between 0 and {line.units} units.",
                errors={"lines": [f"Line {line.line_number}: approve between 0 and {line.units} units."]},
            )
        approved[line] = units
    return approved


def _line_outcome(units: int, approved: int) -> str:
    if approved == units:
        return LineOutcome.APPROVED
    if approved == 0:
        return LineOutcome.DENIED
    return LineOutcome.PARTIALLY_APPROVED


def decision_record(
    *,
    case: AuthorizationRequest,
    actor,
    outcome: str,
    basis: str,
    reason: str,
    rationale: str = "",
    criteria: list[CriteriaVersion],
    approved_units: dict,
    license_: PhysicianLicense | None = None,
    supersede: bool = False,
    automated: bool = False,
    coded_reason: ReasonCode | None = None,
) -> Decision:
    """Write the decision, its per-line outcomes, the status change and the decision event,
    and lock the criteria used. The caller has locked the case and checked the rules."""
    now = timezone.now()
    if supersede:
        Decision.objects.filter(case=case, is_current=True).update(is_current=False)
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                case=case,
                outcome=outcome,
                basis=basis,
                reason=reason,
                rationale=rationale,
                decided_by=actor,
                decided_at=now,
                license=license_,
                signed_at=now if license_ is not None else None,
                automated=automated,
                coded_reason=coded_reason,
            )
    except IntegrityError:
        raise Conflict(f"Case {case.reference} already has a decision.", code="already_decided") from None
    decision.criteria.set(criteria)
    criteria_versions_lock(versions=criteria, at=now)
    # The reviewers' worksheets are the record of this decision from now on.
    worksheets_freeze(case=case, decision=decision, at=now)
    for line, units in approved_units.items():
        line.approved_units, line.outcome = units, _line_outcome(line.units, units)
        line.save(update_fields=["approved_units", "outcome"])
    # The notices are due by the rule's deadline, narrowed once decided (RULES.md section 2).
    notice_due_at = case_notice_due_compute(case=case, decided_at=now)
    if case.status != outcome:
        case_status_set(
            case=case,
            to_status=outcome,
            actor=actor,
            message=f"Decision: {decision.get_outcome_display().lower()}.",
            data={"decision_id": decision.pk},
            extra_fields={"decided_at": now, "notice_due_at": notice_due_at},
        )
    else:
        case.notice_due_at = notice_due_at
        case.save(update_fields=["notice_due_at", "updated_at"])
    # An approval yields an authorization (issue 19, item 1); a denial never does. An
    # approved change request changes the authorization it was asked on (item 3).
    if outcome in (Outcome.APPROVED, Outcome.PARTIALLY_APPROVED):
        if case.change_of_id is not None:
            authorization_change_apply(change=case, decision=decision)
        else:
            authorization_issue(case=case, decision=decision)
    # An approved inpatient admission opens its stay; a decided request for more days
    # extends it or closes the request (issue 19, item 2).
    if stays.stay_review_decided(case=case, actor=actor) is None and outcome in (
        Outcome.APPROVED,
        Outcome.PARTIALLY_APPROVED,
    ):
        stays.stay_open_for_case(case=case, actor=actor)
    # A referral still waiting for the referral management unit leaves its queue.
    referral_review_close_on_decision(case=case, actor=actor, decision=decision)
    return decision


def _medical_necessity_checks(*, case, actor, password, criteria, reason) -> PhysicianLicense:
    if not reason:
        raise ValidationFailed(
            "Give the reason in plain language for this member.", errors={"reason": ["This field is required."]}
        )
    if not criteria:
        raise ValidationFailed(
            "Cite the criteria used for this decision.", errors={"criteria_ids": ["Choose at least one."]}
        )
    license_ = physician_license_for(actor, case)
    signature_verify(user=actor, password=password)
    return license_


@transaction.atomic
def case_approve(
    *,
    case_id,
    actor,
    rationale: str = "",
    criteria_ids=(),
    lines=None,
    expected_version: int | None = None,
) -> Decision:
    """Approve every line in full. Fewer units than requested is a partial approval (below)."""
    case = case_for_action(actor=actor, case_id=case_id, need=Perm.CASE_APPROVE, expected_version=expected_version)
    require_open(case, actor=actor)
    approved = _lines_resolve(case=case, lines=lines)
    if any(units < line.units for line, units in approved.items()):
        if not user_can(actor, Perm.CASE_PARTIALLY_APPROVE):
            raise NotAllowed(MEDICAL_NECESSITY_REFUSED, code="physician_required")
        raise ValidationFailed(
            "Approving fewer units than requested is a partial approval: use “partially approve”, which is signed.",
            errors={"lines": ["Every line must be approved in full here."]},
        )
    criteria = criteria_resolve(case=case, criteria_ids=criteria_ids)
    decision = decision_record(
        case=case,
        actor=actor,
        outcome=Outcome.APPROVED,
        basis="",
        reason=(rationale or "").strip() or "Approved as requested.",
        rationale=rationale or "",
        criteria=criteria,
        approved_units=approved,
    )
    events.event_decision_recorded(case=case, actor=actor, decision=decision)
    return decision


@transaction.atomic
def case_deny(
    *,
    case_id,
    actor,
    basis: str,
    reason: str,
    criteria_ids=(),
    password: str | None = None,
    expected_version: int | None = None,
    reason_code: str | None = None,
) -> Decision:
    """Deny every line, citing a reason code for denials on this basis. On medical necessity:
    physician, license in the member's state, criteria and signature. On benefit or
    administrative grounds: nurse or physician."""
    if basis not in Basis.values:
        raise ValidationFailed(
            "Say on what grounds the request is denied.",
            errors={"basis": [f"Choose one of: {', '.join(Basis.values)}."]},
        )
    medical = basis == Basis.MEDICAL_NECESSITY
    need = Perm.CASE_DENY_MEDICAL_NECESSITY if medical else Perm.CASE_DENY_ADMINISTRATIVE
    case = _case_for_medical_action(actor=actor, case_id=case_id, need=need, expected_version=expected_version)
    require_open(case, actor=actor)
    reason = (reason or "").strip()
    criteria = criteria_resolve(case=case, criteria_ids=criteria_ids)
    coded = reason_code_resolve(code=reason_code, kind=ReasonKind.DENIAL, basis=basis)
    license_ = None
    if medical:
        license_ = _medical_necessity_checks(
            case=case, actor=actor, password=password, criteria=criteria, reason=reason
        )
    elif not reason:
        raise ValidationFailed("Give the reason for the denial.", errors={"reason": ["This field is required."]})
    approved = {line: 0 for line in case.lines.select_for_update().order_by("pk")}
    decision = decision_record(
        case=case,
        actor=actor,
        outcome=Outcome.DENIED,
        basis=basis,
        reason=reason,
        criteria=criteria,
        approved_units=approved,
        license_=license_,
        coded_reason=coded,
    )
    events.event_decision_recorded(case=case, actor=actor, decision=decision)
    return decision


def case_partially_approve_check(*, actor, case: AuthorizationRequest) -> None:
    """An open case in physician review: the status map allows a partial approval from there
    only (409 otherwise, before anything is signed)."""
    require_open(case, actor=actor)
    if not transition_allowed(case.status, Outcome.PARTIALLY_APPROVED):
        raise InvalidTransition(
            f"Case {case.reference} is {case.get_status_display().lower()}; it cannot move to partially approved."
        )


@transaction.atomic
def case_partially_approve(
    *,
    case_id,
    actor,
    reason: str,
    criteria_ids=(),
    lines=None,
    password: str | None = None,
    expected_version: int | None = None,
    reason_code: str | None = None,
) -> Decision:
    """Approve fewer units than requested on at least one line (a modification on medical
    necessity): physician only, licensed in the member's state, signed."""
    case = _case_for_medical_action(
        actor=actor, case_id=case_id, need=Perm.CASE_PARTIALLY_APPROVE, expected_version=expected_version
    )
    case_partially_approve_check(actor=actor, case=case)
    approved = _lines_resolve(case=case, lines=lines)
    if all(units == line.units for line, units in approved.items()):
        raise ValidationFailed(
            "Every line is approved in full: use “approve”.", errors={"lines": ["Reduce at least one line."]}
        )
    if all(units == 0 for units in approved.values()):
        raise ValidationFailed("Every line is reduced to 0: use “deny”.", errors={"lines": ["Approve some units."]})
    reason = (reason or "").strip()
    criteria = criteria_resolve(case=case, criteria_ids=criteria_ids)
    coded = reason_code_resolve(code=reason_code, kind=ReasonKind.PARTIAL_APPROVAL, basis=Basis.MEDICAL_NECESSITY)
    license_ = _medical_necessity_checks(case=case, actor=actor, password=password, criteria=criteria, reason=reason)
    decision = decision_record(
        case=case,
        actor=actor,
        outcome=Outcome.PARTIALLY_APPROVED,
        basis=Basis.MEDICAL_NECESSITY,
        reason=reason,
        criteria=criteria,
        approved_units=approved,
        license_=license_,
        coded_reason=coded,
    )
    events.event_decision_recorded(case=case, actor=actor, decision=decision)
    return decision


def _case_for_medical_action(*, actor, case_id, need: Perm, expected_version):
    """Like case_for_action, with the plain refusal a nurse should read."""
    case_for_physician(actor, case_id, need=need)
    return case_for_action(actor=actor, case_id=case_id, need=need, expected_version=expected_version)


def case_decision_revise_check(*, actor, case: AuthorizationRequest) -> None:
    """An adverse decision (409), a talk of this physician that changed it (403), and no open
    appeal (409: an independent physician decides then). Reads the case's prefetched talks
    and appeals where the page has them."""
    from reviews.models import PeerToPeerRequest

    if case.status not in (Outcome.DENIED, Outcome.PARTIALLY_APPROVED):
        raise Conflict(f"Case {case.reference} has no adverse decision to revise.", code="not_adverse")
    changed = PeerToPeerRequest.Outcome.CHANGED
    if not any(
        talk.physician_id == actor.pk and talk.status == PeerToPeerRequest.Status.COMPLETED and talk.outcome == changed
        for talk in case.peer_to_peers.all()
    ):
        raise NotAllowed(
            "A decision is revised here only after your peer-to-peer talk changed it; otherwise the provider appeals.",
            code="no_changed_talk",
        )
    if any(appeal.status == "open" for appeal in case.appeals.all()):
        raise Conflict(
            f"Case {case.reference} has an open appeal: an independent physician decides it now.",
            code="appeal_open",
        )


@transaction.atomic
def case_decision_revise(
    *,
    case_id,
    actor,
    outcome: str,
    reason: str,
    criteria_ids=(),
    lines=None,
    password: str | None = None,
    expected_version: int | None = None,
    reason_code: str | None = None,
) -> Decision:
    """After a peer-to-peer talk that changed the physician's mind, replace an adverse
    decision with an approval or a larger partial approval. Only the physician who held the
    talk, licensed in the member's state, signed; the new decision event sends new letters."""
    case = _case_for_medical_action(
        actor=actor, case_id=case_id, need=Perm.CASE_DENY_MEDICAL_NECESSITY, expected_version=expected_version
    )
    case_decision_revise_check(actor=actor, case=case)
    if outcome not in (Outcome.APPROVED, Outcome.PARTIALLY_APPROVED):
        raise ValidationFailed("Choose approve or partially approve.", errors={"outcome": ["Not a revision."]})
    approved = _lines_resolve(case=case, lines=lines if outcome == Outcome.PARTIALLY_APPROVED else None)
    previous = {line.pk: line.approved_units or 0 for line in approved}
    if outcome == Outcome.PARTIALLY_APPROVED:
        if all(units == line.units for line, units in approved.items()) or not any(
            units > previous[line.pk] for line, units in approved.items()
        ):
            raise ValidationFailed(
                "A revised partial approval approves more than before but not everything: adjust the lines.",
                errors={"lines": ["Approve more units than before, not all of them."]},
            )
    reason = (reason or "").strip()
    criteria = criteria_resolve(case=case, criteria_ids=criteria_ids)
    if not reason:
        raise ValidationFailed("Give the reason for the new decision.", errors={"reason": ["This field is required."]})
    # A partial approval cites a code; an approval in full has no reason to code.
    coded = None
    if outcome == Outcome.PARTIALLY_APPROVED:
        coded = reason_code_resolve(code=reason_code, kind=ReasonKind.PARTIAL_APPROVAL, basis=Basis.MEDICAL_NECESSITY)
    license_ = physician_license_for(actor, case)
    signature_verify(user=actor, password=password)
    decision = decision_record(
        case=case,
        actor=actor,
        outcome=outcome,
        basis=Basis.MEDICAL_NECESSITY if outcome == Outcome.PARTIALLY_APPROVED else "",
        reason=reason,
        criteria=criteria,
        approved_units=approved,
        license_=license_ if outcome == Outcome.PARTIALLY_APPROVED else None,
        supersede=True,
        coded_reason=coded,
    )
    events.event_decision_recorded(case=case, actor=actor, decision=decision)
    return decision
