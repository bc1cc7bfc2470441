"""Simulating a rule version over the decided cases of a period: how many it would have
approved and, of those, which people denied or reduced. Runs in Celery (`tasks.simulation_run`)
in batches, saving progress for the page's progress bar."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from cases.models import DECIDED_STATUSES, CaseStatus
from reviews.models import Decision
from um_portal.enqueue import task_send_on_commit
from um_portal.exceptions import NotAllowed, NotFound, ValidationFailed
from um_portal.roles import Perm, user_can

from ..conditions import conditions_evaluate
from ..facts import case_facts, facts_queryset, gold_cards_for
from ..models import AutoApprovalRuleVersion, RuleEvaluation, Simulation

BATCH = 500
# A year is the longest look-back the page offers; longer periods say little about today.
MAX_PERIOD_DAYS = 366


@transaction.atomic
def simulation_request(*, actor, version_id, period_start, period_end) -> Simulation:
    """Create the simulation row; the caller enqueues the task on commit."""
    if not user_can(actor, Perm.CONFIGURE):
        raise NotAllowed("Only UM administrators simulate auto-approval rules.")
    version = AutoApprovalRuleVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise ValidationFailed("No such rule version.", code="not_found")
    if period_start is None or period_end is None or period_end < period_start:
        raise ValidationFailed(
            "Choose a period: a start date on or before the end date.", errors={"period_start": ["Invalid period."]}
        )
    if (period_end - period_start).days > MAX_PERIOD_DAYS:
        raise ValidationFailed("Simulate at most a year at a time.", errors={"period_end": ["Period too long."]})
    return Simulation.objects.create(
        version=version,
        conditions=version.conditions,
        period_start=period_start,
        period_end=period_end,
        requested_by=actor,
    )


def _decided_cases(simulation):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(simulation.period_start, time.min), tz)
    end = timezone.make_aware(datetime.combine(simulation.period_end + timedelta(days=1), time.min), tz)
    return facts_queryset().filter(
        decided_at__gte=start, decided_at__lt=end, status__in=[*DECIDED_STATUSES, CaseStatus.CLOSED]
    )


def simulation_run(*, simulation_id) -> Simulation:
    """Claim the simulation (queued -> running, exactly once) and work through the period."""
    claimed = Simulation.objects.filter(pk=simulation_id, status=Simulation.Status.QUEUED).update(
        status=Simulation.Status.RUNNING
    )
    simulation = Simulation.objects.get(pk=simulation_id)
    if not claimed:
        return simulation  # already run (or running): a redelivered message does nothing
    conditions = simulation.conditions
    cases = _decided_cases(simulation)
    total = cases.count()
    Simulation.objects.filter(pk=simulation.pk).update(total=total)
    done = matched = denied = reduced = 0
    adverse: list[dict] = []
    last_pk = None
    while True:
        batch_qs = cases.order_by("pk").prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.filter(is_current=True).order_by("-decided_at"),
                to_attr="current",
            )
        )
        if last_pk is not None:
            batch_qs = batch_qs.filter(pk__gt=last_pk)
        batch = list(batch_qs[:BATCH])
        if not batch:
            break
        gold = gold_cards_for(c.requesting_organization_id for c in batch)
        answers = dict(
            RuleEvaluation.objects.filter(case__in=[c.pk for c in batch]).values_list("case_id", "checklist")
        )
        for case in batch:
            _passed, failed = conditions_evaluate(
                conditions, case_facts(case, gold=gold, checklist=answers.get(case.pk))
            )
            if not failed:
                matched += 1
                decision = case.current[0] if case.current else None
                outcome = decision.outcome if decision else case.status
                if outcome in (Decision.Outcome.DENIED, Decision.Outcome.PARTIALLY_APPROVED):
                    denied += outcome == Decision.Outcome.DENIED
                    reduced += outcome == Decision.Outcome.PARTIALLY_APPROVED
                    adverse.append(
                        {
                            "case_id": str(case.pk),
                            "reference": case.reference,
                            "outcome": outcome,
                            "decided_at": case.decided_at.isoformat() if case.decided_at else "",
                        }
                    )
        done += len(batch)
        last_pk = batch[-1].pk
        Simulation.objects.filter(pk=simulation.pk).update(done=done, matched=matched)
    Simulation.objects.filter(pk=simulation.pk).update(
        status=Simulation.Status.DONE,
        done=done,
        total=max(total, done),
        matched=matched,
        human_denied=denied,
        human_reduced=reduced,
        adverse_cases=adverse[:500],
        finished_at=timezone.now(),
    )
    simulation.refresh_from_db()
    return simulation


def simulation_fail(*, simulation_id, error: str) -> None:
    Simulation.objects.filter(pk=simulation_id).exclude(status=Simulation.Status.DONE).update(
        status=Simulation.Status.FAILED, error=error[:300], finished_at=timezone.now()
    )


def simulation_for_admin(*, actor, simulation_id) -> Simulation:
    if not user_can(actor, Perm.CONFIGURE):
        raise NotAllowed("Only UM administrators see simulations.")
    simulation = Simulation.objects.select_related("version__rule").filter(pk=simulation_id).first()
    if simulation is None:
        raise NotFound("No such simulation.")
    return simulation


def simulation_start(*, actor, version_id, period_start, period_end) -> Simulation:
    """Create the simulation and enqueue its task once the row is committed."""
    with transaction.atomic():
        simulation = simulation_request(
            actor=actor, version_id=version_id, period_start=period_start, period_end=period_end
        )
        task_send_on_commit(
            "automation.tasks.simulate_rule",
            simulation.pk,
            unsent="the simulation stays pending; start it again once Redis answers.",
        )
    return simulation
