"""Notice deadlines (RULES.md section 2): when each letter must go out. Stored on the letter
(`due_at`) and swept like decision deadlines."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from cases.models import AuthorizationRequest, CaseEvent, LineOfBusiness
from reviews.calendar import add_business_days

from ..models import Letter
from .context import ADVERSE_KINDS, DECISION_KINDS, governing_state, line_of_business

K = Letter.Kind
# California H&S Code 1367.01(h)(3): the requesting provider within 24 hours of the decision,
# the member in writing within 2 business days.
CA_PROVIDER_HOURS = 24
CA_MEMBER_BUSINESS_DAYS = 2
# 42 CFR 422.572(b): an oral expedited adverse notice is confirmed in writing within 3 calendar days.
MA_EXPEDITED_WRITTEN_DAYS = 3
# Maryland Ins. 15-10B-06: the provider hears within 3 calendar days of receipt what is missing.
MD_PEND_NOTICE_DAYS = 3
# Pends, extensions and continuation of care have no stricter rule: one business day.
OTHER_NOTICE_BUSINESS_DAYS = 1


def _end_of_business_day(start: datetime, n: int) -> datetime:
    day = add_business_days(timezone.localdate(start), n)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def letter_due_at(*, case: AuthorizationRequest, kind: str, recipient: str, event: CaseEvent | None) -> datetime:
    at = event.at if event is not None else timezone.now()
    lob = line_of_business(case)
    commercial_in = governing_state(case) if lob == LineOfBusiness.COMMERCIAL else ""
    if kind in DECISION_KINDS:
        candidates = [case.decision_due_at]
        if commercial_in == "CA":
            if recipient == Letter.Recipient.MEMBER:
                candidates.append(_end_of_business_day(at, CA_MEMBER_BUSINESS_DAYS))
            else:
                candidates.append(at + timedelta(hours=CA_PROVIDER_HOURS))
        due = min(candidates)
        if kind in ADVERSE_KINDS and lob == LineOfBusiness.MEDICARE_ADVANTAGE and case.urgency == "expedited":
            # The oral notice given with the decision meets the deadline; the written one follows.
            due = max(due, at + timedelta(days=MA_EXPEDITED_WRITTEN_DAYS))
        return due
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
    if kind == K.REQUEST_FOR_INFORMATION and commercial_in == "MD":
        due = min(due, max(at, case.received_at + timedelta(days=MD_PEND_NOTICE_DAYS)))
    return due
