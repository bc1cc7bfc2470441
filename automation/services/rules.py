"""Writing rules: a new version (validated, nothing saved on bad input), editing a draft,
switching a version on (after a simulation; a second administrator signs off when the
simulation found a human denial or reduction among the matches), retiring one."""

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from criteria.models import CriteriaSet
from um_portal.exceptions import Conflict, InvalidTransition, NotAllowed, ValidationFailed
from um_portal.roles import Perm, user_can

from ..conditions import conditions_clean
from ..models import RULE_TRANSITIONS, AutoApprovalRule, AutoApprovalRuleVersion, RuleEvent, RuleStatus, Simulation

Action = AutoApprovalRuleVersion.Action


def _require_admin(actor) -> None:
    if not user_can(actor, Perm.CONFIGURE):
        raise NotAllowed("Only UM administrators write auto-approval rules.")


def _checklist_lookup(name: str):
    """The checklist items of the criteria set `name` in force today, or None."""
    criteria_set = CriteriaSet.objects.filter(name=name).first()
    if criteria_set is None:
        return None
    today = timezone.localdate()
    versions = [
        v
        for v in criteria_set.versions.filter(effective_from__lte=today).filter(
            Q(effective_to__isnull=True) | Q(effective_to__gte=today)
        )
    ]
    if not versions:
        return None
    return max(versions, key=lambda v: v.effective_from).indications


def _check_dates(*, rule, effective_from, effective_to, exclude_pk=None) -> None:
    if not isinstance(effective_from, date):
        raise ValidationFailed("Give the date the version takes effect.", errors={"effective_from": ["Required."]})
    if effective_to is not None and effective_to < effective_from:
        raise ValidationFailed(
            "The version ends before it starts.", errors={"effective_to": ["Must be on or after effective_from."]}
        )
    others = AutoApprovalRuleVersion.objects.filter(rule=rule).exclude(pk=exclude_pk)
    live = others.filter(status=RuleStatus.LIVE).first()
    if live is not None and effective_from < live.effective_from:
        raise ValidationFailed(
            f"The version starts before the live {live} (from {live.effective_from}): a new version replaces the "
            "live one from its own start, never retroactively.",
            errors={"effective_from": [f"Start on or after {live.effective_from}."]},
        )
    # Drafts (and versions awaiting sign-off) of one rule may not overlap each other; the
    # live one is replaced when the new version is switched on.
    pending = others.filter(status__in=[RuleStatus.DRAFT, RuleStatus.AWAITING_SIGNOFF])
    overlap = pending.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=effective_from))
    if effective_to is not None:
        overlap = overlap.filter(effective_from__lte=effective_to)
    clash = overlap.order_by("effective_from").first()
    if clash is not None:
        raise ValidationFailed(
            f"The dates overlap {clash} ({clash.effective_from} to {clash.effective_to or 'open-ended'}), another "
            "version not yet live: change or retire that version first.",
            errors={"effective_from": [f"Overlaps {clash}."]},
        )


def _event(version, actor, kind, old="", new="", message="") -> None:
    RuleEvent.objects.create(version=version, actor=actor, kind=kind, old_value=old, new_value=new, message=message)


def rule_version_validate(
    *, rule_name: str, conditions, effective_from, effective_to=None, action: str = Action.APPROVE
) -> dict:
    """Every check of a new version, without writing: the cleaned conditions, or
    ValidationFailed naming the field. The admin form calls it before saving."""
    if action != Action.APPROVE:
        raise ValidationFailed(
            "A rule can only approve in full: software may approve, never deny, reduce or delay (RULES.md 3).",
            code="rule_cannot_deny",
            errors={"action": ["Only 'approve' is allowed."]},
        )
    name = (rule_name or "").strip()
    if not name:
        raise ValidationFailed("Give the rule a name.", errors={"rule_name": ["Required."]})
    clean = conditions_clean(conditions, checklist_lookup=_checklist_lookup)
    rule = AutoApprovalRule.objects.filter(name=name).first()
    if rule is not None:
        _check_dates(rule=rule, effective_from=effective_from, effective_to=effective_to)
    else:
        _check_dates(rule=None, effective_from=effective_from, effective_to=effective_to)
    return clean


@transaction.atomic
def rule_version_create(
    *,
    actor,
    rule_name: str,
    conditions,
    effective_from: date,
    effective_to: date | None = None,
    action: str = Action.APPROVE,
    description: str = "",
    note: str = "",
) -> AutoApprovalRuleVersion:
    """A new draft version of the rule named `rule_name` (the rule is made on first use)."""
    _require_admin(actor)
    name = (rule_name or "").strip()
    # Lock the rule's row first so two administrators cannot add overlapping versions at once.
    list(AutoApprovalRule.objects.select_for_update().filter(name=name).values_list("pk"))
    clean = rule_version_validate(
        rule_name=name, conditions=conditions, effective_from=effective_from, effective_to=effective_to, action=action
    )
    rule = AutoApprovalRule.objects.filter(name=name).first()
    if rule is None:
        rule = AutoApprovalRule.objects.create(name=name, description=description, created_by=actor)
    number = (rule.versions.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    version = AutoApprovalRuleVersion.objects.create(
        rule=rule,
        version=number,
        conditions=clean,
        action=Action.APPROVE,
        effective_from=effective_from,
        effective_to=effective_to,
        note=note,
        created_by=actor,
    )
    _event(version, actor, "created", new=RuleStatus.DRAFT, message=f"Conditions: {clean}")
    return version


def _lock_version(version_id) -> AutoApprovalRuleVersion:
    version = AutoApprovalRuleVersion.objects.select_for_update().select_related("rule").filter(pk=version_id).first()
    if version is None:
        raise ValidationFailed("No such rule version.", code="not_found")
    return version


@transaction.atomic
def rule_version_update(
    *, actor, version_id, conditions=None, effective_from=None, effective_to=None
) -> AutoApprovalRuleVersion:
    """Change a draft. A version used in a decision, live or awaiting sign-off is frozen."""
    _require_admin(actor)
    version = _lock_version(version_id)
    if version.is_locked:
        raise Conflict(
            f"{version} was used in a decision on {version.locked_at:%Y-%m-%d} and is frozen: make a new version.",
            code="rule_locked",
        )
    if version.status != RuleStatus.DRAFT:
        raise Conflict(f"{version} is {version.get_status_display().lower()}: only drafts change.", code="not_draft")
    if conditions is not None:
        version.conditions = conditions_clean(conditions, checklist_lookup=_checklist_lookup)
    start = effective_from or version.effective_from
    end = effective_to if effective_to is not None else version.effective_to
    _check_dates(rule=version.rule, effective_from=start, effective_to=end, exclude_pk=version.pk)
    version.effective_from, version.effective_to = start, end
    version.save(update_fields=["conditions", "effective_from", "effective_to"])
    _event(version, actor, "updated", message=f"Conditions: {version.conditions}")
    return version


def _status_set(version, to_status, actor, message="") -> None:
    old = version.status
    if to_status not in RULE_TRANSITIONS[old]:
        raise InvalidTransition(f"{version} is {version.get_status_display().lower()}; it cannot become {to_status}.")
    version.status = to_status
    fields = ["status"]
    if to_status == RuleStatus.LIVE:
        version.live_at = timezone.now()
        fields.append("live_at")
    version.save(update_fields=fields)
    _event(version, actor, "status_changed", old=old, new=to_status, message=message)


def simulation_latest_valid(version) -> Simulation | None:
    """The newest finished simulation of exactly the current conditions."""
    for simulation in version.simulations.filter(status=Simulation.Status.DONE).order_by("-finished_at"):
        if simulation.conditions == version.conditions:
            return simulation
    return None


@transaction.atomic
def rule_version_switch_on(*, actor, version_id) -> AutoApprovalRuleVersion:
    """Switch a version on. It must have been simulated (as it now reads). When the
    simulation found matches that people denied or reduced, a second administrator signs
    off: the first request leaves it awaiting sign-off, a different administrator switches it on."""
    _require_admin(actor)
    version = _lock_version(version_id)
    simulation = simulation_latest_valid(version)
    if simulation is None:
        raise Conflict(f"Simulate {version} over past decisions before switching it on.", code="simulation_required")
    if version.status == RuleStatus.DRAFT:
        version.switched_on_by = actor
        version.save(update_fields=["switched_on_by"])
        if simulation.needs_signoff:
            _status_set(
                version,
                RuleStatus.AWAITING_SIGNOFF,
                actor,
                f"Simulation: {simulation.human_denied} denied and {simulation.human_reduced} reduced by people "
                "among the matches; a second administrator must sign off.",
            )
            return version
    elif version.status == RuleStatus.AWAITING_SIGNOFF:
        if actor.pk == version.switched_on_by_id:
            raise NotAllowed(
                "A second administrator must sign off: the simulation shows people denied or reduced requests this "
                "rule would approve.",
                code="second_signoff_required",
            )
        version.signed_off_by = actor
        version.save(update_fields=["signed_off_by"])
    else:
        raise InvalidTransition(f"{version} is {version.get_status_display().lower()}.")
    live = AutoApprovalRuleVersion.objects.select_for_update().filter(rule=version.rule, status=RuleStatus.LIVE)
    for other in live:
        _status_set(other, RuleStatus.RETIRED, actor, f"Replaced by v{version.version}.")
    _status_set(version, RuleStatus.LIVE, actor)
    return version


@transaction.atomic
def rule_version_retire(*, actor, version_id) -> AutoApprovalRuleVersion:
    _require_admin(actor)
    version = _lock_version(version_id)
    _status_set(version, RuleStatus.RETIRED, actor)
    return version


__all__ = [
    "rule_version_create",
    "rule_version_retire",
    "rule_version_switch_on",
    "rule_version_update",
]
