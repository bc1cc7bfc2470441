"""The provider office's worklist at the top of its Requests page (issue 22, item 2): what
needs the office's response, and what the plan decided this week. Scoped to the cases the
office may see (`cases.selectors.office_cases`); four queries whatever the office's size,
each read through an index (issue #13; tests/reviews/test_selectors_worklist_plans.py):
open pends from the office's pended cases (organization and status), talks from the open
talks (a partial index), approvals ending soon from the office's approved lines ending
within the window (partial indexes by organization and end date), this week's decisions from the office's
decisions by time (organization and decision time)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from cases.access import case_granted
from cases.models import CaseStatus, ServiceLine
from cases.selectors import office_cases, office_q

from .models import PeerToPeerRequest, Pend

# An approval whose last approved day is this close gets a renewal on the worklist: 30
# days is the lead time offices asked for to gather notes for a continued-stay or
# extension request (issue 22, "expiring authorizations").
EXPIRING_WITHIN_DAYS = 30
LIMIT = 50  # per section: more than this is a different page (the filtered list)
DECIDED_LIMIT = 25


@dataclass
class Worklist:
    pends: list
    talks: list
    expiring: list
    decided: list
    week_start: date

    @property
    def needs_response(self) -> int:
        return len(self.pends) + len(self.talks) + len(self.expiring)


def week_start(today: date) -> date:
    """Monday of `today`'s week (the plan's calendar week)."""
    return today - timedelta(days=today.weekday())


def _line_office_q(user) -> Q:
    """`office_q` for a service line, on the line's own copies of its case's organizations
    (kept by triggers on PostgreSQL, cases migration 0027); elsewhere on the case's."""
    if connection.vendor != "postgresql":
        return office_q(user, "case__")
    org = getattr(user, "organization_id", None)
    return Q(requesting_organization_id=org) | Q(servicing_organization_id=org)


def provider_worklist(*, user, today: date | None = None) -> Worklist:
    today = today or timezone.localdate()
    pends = list(
        Pend.objects.filter(
            responded_at__isnull=True,
            case_id__in=office_cases(user).filter(status=CaseStatus.PENDED).values("pk"),
        )
        .select_related("case__member")
        .order_by("respond_by", "pk")[:LIMIT]
    )
    # Talks the plan's physician offered (requested by the physician who will hold it) and
    # every scheduled talk: the office must call back or be there.
    talks = list(
        PeerToPeerRequest.objects.filter(case_id__in=office_cases(user).values("pk"))
        .filter(
            Q(status=PeerToPeerRequest.Status.SCHEDULED)
            | Q(status=PeerToPeerRequest.Status.REQUESTED, requested_by_id=F("physician_id"))
        )
        .select_related("case__member")
        .order_by("requested_at", "pk")[:LIMIT]
    )
    # From the office's approved lines ending within the window (partial indexes on the
    # line's copies of its case's organizations and the end date), each line's case checked
    # for the grant by key: neither the plan's lines nor the office's history is read.
    expiring = list(
        ServiceLine.objects.filter(
            _line_office_q(user),
            case_granted(user, case_ref="case_id"),
            case__status__in=[CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED],
            outcome__in=[ServiceLine.Outcome.APPROVED, ServiceLine.Outcome.PARTIALLY_APPROVED],
            end_date__gte=today,
            end_date__lte=today + timedelta(days=EXPIRING_WITHIN_DAYS),
            cancelled_at__isnull=True,
        )
        .select_related("case__member")
        .order_by("end_date", "pk")[:LIMIT]
    )
    monday = week_start(today)
    since = timezone.make_aware(datetime.combine(monday, time.min))
    decided = list(
        office_cases(user)
        .filter(decided_at__gte=since)
        .select_related("member")
        .order_by("-decided_at", "-pk")[:DECIDED_LIMIT]
    )
    return Worklist(pends=pends, talks=talks, expiring=expiring, decided=decided, week_start=monday)
