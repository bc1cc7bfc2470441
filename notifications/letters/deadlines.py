"""Notice deadlines (RULES.md section 2): when each letter must go out. Stored on the letter
(`due_at`) and swept like decision deadlines."""

from datetime import datetime, time

from django.utils import timezone

from cases.deadlines.calendar import add_business_days
from cases.models import AuthorizationRequest, CaseEvent

from ..models import Letter
from .context import DECISION_KINDS

K = Letter.Kind
# Pends, extensions and continuation of care have no stricter rule: one business day.
OTHER_NOTICE_BUSINESS_DAYS = 1


def _end_of_business_day(start: datetime, n: int) -> datetime:
    day = add_business_days(timezone.localdate(start), n)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def letter_due_at(*, case: AuthorizationRequest, kind: str, recipient: str, event: CaseEvent | None) -> datetime:
    at = event.at if event is not None else timezone.now()
    if kind in DECISION_KINDS:
        # The clock engine owns the decision-notice rules (RULES.md section 2): the decision
        # deadline; California 24 hours (provider) / 2 business days (member) from the decision.
        from cases.deadlines.clocks import case_notice_deadlines

        who = "member" if recipient == Letter.Recipient.MEMBER else "requesting_provider"
        deadlines = case_notice_deadlines(case=case, decided_at=case.decided_at or at)
        return min(d["due_at"] for d in deadlines if d["recipient"] == who)
    if kind == K.APPEAL_DECISION:
        from reviews.models import Appeal

        appeal = Appeal.objects.filter(pk=(event.data or {}).get("appeal_id")).first() if event else None
        return appeal.due_at if appeal else at
    if kind == K.EXTENSION:
        from reviews.models import Extension

        extension = Extension.objects.filter(pk=(event.data or {}).get("extension_id")).first() if event else None
        # The extension notice goes out before the original deadline runs out (42 CFR 422.568(b)).
        return max(extension.old_due_at, at) if extension else _end_of_business_day(at, OTHER_NOTICE_BUSINESS_DAYS)
    due = _end_of_business_day(at, OTHER_NOTICE_BUSINESS_DAYS)
    if kind == K.REQUEST_FOR_INFORMATION and case.information_notice_due_at:
        # Maryland: what is missing, within 3 calendar days of receipt (the clock engine's date).
        due = min(due, max(at, case.information_notice_due_at))
    return due
