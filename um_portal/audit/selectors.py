"""Reads of the PHI access log for the audit pages and the CSV export.

Keyset pagination on (at, id) descending, never OFFSET or COUNT(*): the log only grows.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from ..models import AccessLog

PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    member_number: str = ""
    case_reference: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def access_log_queryset(filters: AuditFilters, *, case_id=None) -> QuerySet[AccessLog]:
    """Access-log rows matching the filters, newest first, with user and member joined.
    A case reference filter needs the case's id, which the caller (the audit page) looks
    up: the log lives below the cases app and stores only object ids."""
    qs = AccessLog.objects.select_related("user", "user__organization", "member")
    if filters.username:
        qs = qs.filter(user__username__iexact=filters.username.strip())
    if filters.member_number:
        qs = qs.filter(member__member_number__iexact=filters.member_number.strip())
    if filters.case_reference:
        qs = qs.filter(object_kind=AccessLog.ObjectKind.CASE, object_id=str(case_id) if case_id else "")
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    return qs.order_by("-at", "-id")


def cursor_encode(row: AccessLog) -> str:
    return f"{row.at.isoformat()}|{row.pk}"


def cursor_decode(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor or "|" not in cursor:
        return None
    at_text, _, pk_text = cursor.partition("|")
    try:
        at = datetime.fromisoformat(at_text)
        pk = int(pk_text)
    except ValueError:
        return None
    if timezone.is_naive(at):
        return None
    return at, pk


def access_log_page(qs: QuerySet[AccessLog], *, cursor: str | None, size: int | None = None):
    """One page of rows after `cursor` and the cursor of the next page (None at the end)."""
    size = size or PAGE_SIZE
    position = cursor_decode(cursor)
    if position is not None:
        at, pk = position
        qs = qs.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))
    rows = list(qs[: size + 1])
    next_cursor = cursor_encode(rows[size - 1]) if len(rows) > size else None
    return rows[:size], next_cursor


def case_ids_in(rows) -> set[str]:
    """The ids of the cases among `rows` (for the page to look up their references)."""
    return {row.object_id for row in rows if row.object_kind == AccessLog.ObjectKind.CASE}
