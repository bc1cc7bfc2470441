"""Gold carding: per requesting organization and service group (the case's service
category), the share of requests approved over the evaluation period decides the status.

- Counted: requests decided in the period by people (decisions by a rule say nothing about
  the provider); the current decision counts, so a denial overturned on appeal counts as approved.
- Granted when at least `min_decided` were decided and at least `min_approval_percent` approved.
- Revocation: when a holder falls below the threshold (with at least `min_decided` decided),
  a notice goes out and the card ends `revocation_notice_days` later; if the figures recover
  within the notice the revocation is withdrawn. Too few decisions never revokes.
- Every change is a GoldCardEvent; subscribers (the letters, in notifications) run on commit.
"""

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from cases.models import DECIDED_STATUSES, AuthorizationRequest, CaseStatus
from reviews.models import Decision

from ..models_goldcard import GoldCardEvent, GoldCardPolicy, GoldCardStatus
from .evaluate import RULE_ACTOR_USERNAME

log = logging.getLogger(__name__)
Status = GoldCardStatus.Status
Kind = GoldCardEvent.Kind

_subscribers: list[Callable] = []


def gold_card_event_subscribe(handler: Callable) -> None:
    """`handler(event_id)` runs after the transaction that wrote the event commits."""
    if handler not in _subscribers:
        _subscribers.append(handler)


def _publish(event: GoldCardEvent) -> None:
    for handler in list(_subscribers):
        transaction.on_commit(lambda h=handler: h(event.pk))


def gold_card_policy_in_force(day: date) -> GoldCardPolicy:
    """The thresholds in force on `day`; the shipped defaults (version 1) when none exist."""
    policy = GoldCardPolicy.objects.filter(effective_from__lte=day).order_by("-effective_from", "-version").first()
    if policy is None:
        policy, _ = GoldCardPolicy.objects.get_or_create(version=1, defaults={"effective_from": date(2000, 1, 1)})
    return policy


def gold_card_figures(*, period_start: date, period_end: date) -> dict[tuple[int, str], tuple[int, int]]:
    """{(organization id, service group): (decided, approved)} for the period. One query."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(period_start, time.min), tz)
    end = timezone.make_aware(datetime.combine(period_end + timedelta(days=1), time.min), tz)
    # One current decision per case (a database constraint): counting decisions counts cases.
    rows = (
        Decision.objects.filter(
            is_current=True,
            case__decided_at__gte=start,
            case__decided_at__lt=end,
            case__status__in=[*DECIDED_STATUSES, CaseStatus.CLOSED],
            case__kind=AuthorizationRequest.Kind.PRIOR_AUTHORIZATION,
        )
        .exclude(decided_by__username=RULE_ACTOR_USERNAME)
        .values("case__requesting_organization_id", "case__service_category")
        .annotate(decided=Count("pk"), approved=Count("pk", filter=Q(outcome=Decision.Outcome.APPROVED)))
    )
    return {
        (r["case__requesting_organization_id"], r["case__service_category"]): (r["decided"], r["approved"])
        for r in rows
    }


def _qualifies(policy: GoldCardPolicy, decided: int, approved: int) -> bool:
    return decided >= policy.min_decided and Decimal(approved) * 100 >= policy.min_approval_percent * decided


def _fails(policy: GoldCardPolicy, decided: int, approved: int) -> bool:
    return decided >= policy.min_decided and Decimal(approved) * 100 < policy.min_approval_percent * decided


@transaction.atomic
def gold_cards_evaluate(*, now=None) -> dict:
    """The nightly evaluation. Idempotent: a second run the same night changes nothing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    policy = gold_card_policy_in_force(today)
    period_start = today - relativedelta(months=policy.period_months)
    figures = gold_card_figures(period_start=period_start, period_end=today)
    existing = {(s.organization_id, s.code_group): s for s in GoldCardStatus.objects.select_for_update().order_by("pk")}
    counts = {"granted": 0, "noticed": 0, "revoked": 0, "withdrawn": 0}

    def event(kind, org_id, group, decided, approved, effective_at=None):
        row = GoldCardEvent.objects.create(
            organization_id=org_id, code_group=group, kind=kind, decided=decided, approved=approved,
            period_start=period_start, period_end=today, effective_at=effective_at, policy=policy,
        )  # fmt: skip
        _publish(row)

    for key in sorted(set(figures) | set(existing)):
        org_id, group = key
        decided, approved = figures.get(key, (0, 0))
        status = existing.get(key)
        if status is None or status.status == Status.REVOKED:
            if _qualifies(policy, decided, approved):
                if status is None:
                    status = GoldCardStatus(organization_id=org_id, code_group=group)
                status.status, status.since, status.revocation_effective_at = Status.GRANTED, now, None
                _figures_set(status, policy, decided, approved, now)
                event(Kind.GRANTED, org_id, group, decided, approved, effective_at=now)
                counts["granted"] += 1
            elif status is not None:
                _figures_set(status, policy, decided, approved, now)
            continue
        if status.status == Status.GRANTED and _fails(policy, decided, approved):
            effective = now + timedelta(days=policy.revocation_notice_days)
            status.status, status.revocation_effective_at = Status.REVOCATION_NOTICED, effective
            event(Kind.REVOCATION_NOTICED, org_id, group, decided, approved, effective_at=effective)
            counts["noticed"] += 1
        elif status.status == Status.REVOCATION_NOTICED:
            if now >= status.revocation_effective_at:
                status.status, status.since, status.revocation_effective_at = Status.REVOKED, now, None
                event(Kind.REVOKED, org_id, group, decided, approved, effective_at=now)
                counts["revoked"] += 1
            elif _qualifies(policy, decided, approved):
                status.status, status.revocation_effective_at = Status.GRANTED, None
                event(Kind.NOTICE_WITHDRAWN, org_id, group, decided, approved)
                counts["withdrawn"] += 1
        _figures_set(status, policy, decided, approved, now)
    log.info("Gold cards evaluated: %s", counts)
    return counts


def _figures_set(status: GoldCardStatus, policy, decided: int, approved: int, now) -> None:
    status.policy, status.decided, status.approved, status.evaluated_at = policy, decided, approved, now
    status.save()


def gold_cards_for_organization(organization_id) -> list[GoldCardStatus]:
    return list(GoldCardStatus.objects.filter(organization_id=organization_id).select_related("policy"))
