"""Reads for the concurrent review queue (issue 19, item 2): open stays due for review
today or overdue, by next review date, keyset-paged on the partial index
`stay_open_review_idx`. One query per page, whatever its size."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from cases.models import InpatientStay
from cases.services.stays import admission_day, expected_days, length_of_stay_days

from .pagination import Page, keyset_page

QUEUE_LIMIT = 50
QUEUE_FIELDS = ("next_review_on", "id")
QUEUE_RELATED = ("member", "facility", "case", "los_norm", "open_review__case", "open_review__case__assigned_to")


@dataclass
class StayRow:
    """A stay with what the queue shows beside it, computed once per page (no queries)."""

    stay: InpatientStay
    los_days: int
    expected_days: Decimal | None
    over_expected: bool
    overdue_days: int
    last_note: str

    @property
    def review(self):
        return self.stay.open_review


def stays_due_queryset(*, today: date):
    return InpatientStay.objects.filter(discharged_at__isnull=True, next_review_on__lte=today).select_related(
        *QUEUE_RELATED
    )


def stay_row(stay: InpatientStay, *, now: datetime, today: date) -> StayRow:
    los = length_of_stay_days(admitted_at=stay.admitted_at, at=now)
    expected = expected_days(stay)
    notes = [line for line in (stay.discharge_planning_notes or "").splitlines() if line.strip()]
    return StayRow(
        stay=stay,
        los_days=los,
        expected_days=expected,
        over_expected=expected is not None and los > expected,
        overdue_days=max(0, (today - stay.next_review_on).days) if stay.next_review_on else 0,
        last_note=notes[-1] if notes else "",
    )


def concurrent_queue_page(*, cursor: str | None = None, limit: int = QUEUE_LIMIT, now: datetime | None = None) -> Page:
    """Stays whose next review date is today or past, oldest review first. The caller has
    checked the role (Perm.QUEUE_WORK); rows are StayRow."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    page = keyset_page(stays_due_queryset(today=today), fields=QUEUE_FIELDS, cursor=cursor, limit=limit)
    page.rows = [stay_row(stay, now=now, today=today) for stay in page.rows]
    return page


def stay_detail(*, stay: InpatientStay) -> StayRow:
    now = timezone.now()
    return stay_row(stay, now=now, today=timezone.localdate(now))


__all__ = ["StayRow", "admission_day", "concurrent_queue_page", "stay_detail", "stays_due_queryset"]
