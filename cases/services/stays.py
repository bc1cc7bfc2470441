"""Inpatient stays (issue 19, item 2): opened by an approved inpatient admission, extended
by approved concurrent reviews, discharged. Day arithmetic here, once, in the plan's time
zone; the reviewer actions (reviews.services.stays) build on these.

Counting days (the midnight census, as hospitals and claims count them):
- the day of admission, in the plan's time zone, is inpatient day 1; N authorized days
  cover the admission day and the N - 1 days after it, so `authorized_through` is
  admission day + N - 1 (the member may leave on the day after without using another day);
- the length of stay so far is the number of local midnights passed since admission, so an
  admission at 23:50 has a length of 1 ten minutes later, and a day on which clocks change
  (23 or 25 hours long) is still one day. Elapsed hours are never divided by 24.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from um_portal.exceptions import Conflict, ValidationFailed

from .. import events
from ..deadlines.calendar import is_business_day, plan_holidays, plan_tz
from ..models import (
    AuthorizationRequest,
    CaseStatus,
    InpatientStay,
    LengthOfStayNorm,
    ServiceCategory,
    StayReview,
)
from .intake import case_create, coverage_on
from .workflow import case_status_set

# One approval of more days covers at most this many (plan policy: a concurrent review at
# least every two weeks; a larger number is almost always a typing mistake).
MAX_DAYS_PER_REVIEW = 14
# A discharge up to this far ahead of the clock is the same moment on another machine.
CLOCK_SKEW = timedelta(minutes=5)
NOTE_MAX = 2000


def admission_day(admitted_at: datetime) -> date:
    return timezone.localtime(admitted_at, plan_tz()).date()


def authorized_through_for(*, admitted_at: datetime, days: int) -> date | None:
    """The last authorized inpatient day: admission day (day 1) + days - 1, local dates."""
    if days < 1:
        return None
    return admission_day(admitted_at) + timedelta(days=days - 1)


def length_of_stay_days(*, admitted_at: datetime, at: datetime) -> int:
    """Local midnights passed from admission to `at` (0 on the day of admission)."""
    return max(0, (timezone.localtime(at, plan_tz()).date() - admission_day(admitted_at)).days)


def review_day_adjust(day: date, *, today: date) -> date:
    """A review date on a weekend, holiday or plan closure moves to the UMOC's business day
    before it (the business calendar of cases.deadlines: Monday to Friday, the UMOC's hours
    in RULES.md section 6), so the review happens before the authorized days run out; never
    before `today`. When no business day is left between today and `day`, the next one."""
    day = max(day, today)  # days already run out: review today (or the next business day)
    holidays = plan_holidays(today, day + timedelta(days=21))
    if is_business_day(day, holidays):
        return day
    earlier = day - timedelta(days=1)
    while earlier >= today:
        if is_business_day(earlier, holidays):
            return earlier
        earlier -= timedelta(days=1)
    later = day + timedelta(days=1)
    while not is_business_day(later, holidays):
        later += timedelta(days=1)
    return later


def days_clean(value, *, field: str = "days") -> int:
    """Whole days, 1 to MAX_DAYS_PER_REVIEW, with a message saying what is wrong."""
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(
            "Give the number of days as a whole number.", errors={field: ["A whole number."]}
        ) from None
    if days < 1:
        raise ValidationFailed(
            f"{days} days: give at least 1 day.", errors={field: ["At least 1 day; days cannot be negative or zero."]}
        )
    if days > MAX_DAYS_PER_REVIEW:
        raise ValidationFailed(
            f"{days} days is more than one review may approve ({MAX_DAYS_PER_REVIEW}).",
            errors={field: [f"At most {MAX_DAYS_PER_REVIEW} days per review."]},
        )
    return days


def review_date_clean(value, *, stay: InpatientStay, through: date, today: date | None = None) -> date:
    """The nurse's next review date: a real date, not before admission or today, not after
    the last authorized day; moved off weekends and holidays (review_day_adjust)."""
    today = today or timezone.localdate()
    if isinstance(value, datetime):
        value = timezone.localtime(value, plan_tz()).date()
    if value in (None, ""):
        return review_day_adjust(through, today=max(today, admission_day(stay.admitted_at)))
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationFailed(
                "Give the next review date as YYYY-MM-DD.", errors={"next_review_on": ["Not a date."]}
            ) from None
    admitted = admission_day(stay.admitted_at)
    if value < admitted:
        raise ValidationFailed(
            f"The next review date {value:%Y-%m-%d} is before the admission on {admitted:%Y-%m-%d}.",
            errors={"next_review_on": ["Before the admission."]},
        )
    if value < today:
        raise ValidationFailed(
            f"The next review date {value:%Y-%m-%d} has passed.", errors={"next_review_on": ["In the past."]}
        )
    if value > through:
        raise ValidationFailed(
            f"The next review date {value:%Y-%m-%d} is after the last authorized day {through:%Y-%m-%d}: "
            "review before the days run out.",
            errors={"next_review_on": [f"On or before {through:%Y-%m-%d}."]},
        )
    return review_day_adjust(value, today=max(today, admitted))


def los_norm_for(*, diagnosis_codes: list[str], on: date) -> LengthOfStayNorm | None:
    """The norm whose principal-diagnosis prefix matches longest, newest version in force."""
    principal = (diagnosis_codes[0] if diagnosis_codes else "").replace(".", "").upper()
    best, best_key = None, None
    for norm in LengthOfStayNorm.objects.filter(effective_from__lte=on).order_by("effective_from", "pk"):
        for prefix in norm.diagnosis_prefixes or []:
            if principal.startswith(prefix.upper()):
                key = (len(prefix), norm.effective_from)
                if best_key is None or key >= best_key:
                    best, best_key = norm, key
    return best


def expected_days(stay: InpatientStay) -> Decimal | None:
    return stay.los_norm.geometric_mean_days if stay.los_norm_id else None


def stay_lock(*, stay_id, expected_version: int | None = None) -> InpatientStay:
    """Lock the stay row (inside a transaction); a stale version is someone else's change (409)."""
    stay = InpatientStay.objects.select_for_update(of=("self",)).select_related("case").get(pk=stay_id)
    if expected_version is not None and stay.version != expected_version:
        raise Conflict(
            "Someone else changed this stay while you were working on it. Reload it and try again.", code="stale"
        )
    return stay


def stay_require_open(stay: InpatientStay) -> None:
    if stay.discharged_at is not None:
        raise Conflict("This stay has a discharge recorded: it cannot be changed.", code="discharged")
    if stay.case_id is None:
        raise Conflict("This stay was not opened by an admission request: it has no concurrent review.", code="no_case")


def _approved_days(case: AuthorizationRequest) -> int:
    units = [line.approved_units or 0 for line in case.lines.filter(cancelled_at__isnull=True)]
    return max(units, default=0)


def _admitted_at(case: AuthorizationRequest) -> datetime:
    """The admission time: when the request came in if the admission day is that day (an
    admission notice), else the start of the first day of the line (a planned admission)."""
    first_day = min(line.start_date for line in case.lines.all())
    tz = plan_tz()
    if timezone.localtime(case.received_at, tz).date() == first_day:
        return case.received_at
    return datetime.combine(first_day, time.min, tzinfo=tz)


def stay_open_for_case(*, case: AuthorizationRequest, actor) -> InpatientStay | None:
    """An approved inpatient admission opens its stay (once): authorized days from the
    approved units, the last authorized day, the next review date, the expected length of
    stay. Called by the decision service in its transaction. Other cases: nothing."""
    if case.service_category != ServiceCategory.INPATIENT_ADMISSION:
        return None
    if case.kind == AuthorizationRequest.Kind.CONTINUATION_OF_CARE or case.review_type == "concurrent":
        return None
    existing = InpatientStay.objects.filter(case=case).first()
    if existing is not None:
        return existing
    days = _approved_days(case)
    if days < 1:
        return None
    admitted_at = _admitted_at(case)
    through = authorized_through_for(admitted_at=admitted_at, days=days)
    today = max(timezone.localdate(), admission_day(admitted_at))
    codes = list(case.diagnoses.order_by("sequence").values_list("code", flat=True))
    stay = InpatientStay.objects.create(
        member_id=case.member_id,
        facility_id=case.servicing_organization_id,
        admitted_at=admitted_at,
        case=case,
        authorized_days=days,
        authorized_through=through,
        next_review_on=review_day_adjust(through, today=today),
        los_norm=los_norm_for(diagnosis_codes=codes, on=admission_day(admitted_at)),
    )
    events.event_stay_opened(case=case, actor=actor, stay=stay)
    return stay


def stay_review_open(*, stay: InpatientStay, actor, days: int, clinical_summary: str = "") -> StayReview:
    """Record a request for more days as a concurrent-review case of its own (its clock from
    the turnaround rules' concurrent periods, earliest wins) linked to the stay. The stay is
    locked by the caller."""
    admission = stay.case
    start = stay.authorized_through + timedelta(days=1)
    end = start + timedelta(days=days - 1)
    codes = list(admission.diagnoses.order_by("sequence").values_list("code", flat=True))
    case = case_create(
        member=stay.member,
        requesting_organization=stay.facility,
        servicing_organization=admission.servicing_organization,
        requesting_practitioner=admission.requesting_practitioner,
        servicing_practitioner=admission.servicing_practitioner,
        service_category=ServiceCategory.INPATIENT_ADMISSION,
        review_type="concurrent",
        urgency="expedited",
        expedited_reason="Concurrent review of a member in the hospital.",
        diagnosis_codes=codes,
        lines=[
            {
                "code_system": "CPT",
                "code": "99232",
                "description": "Continued inpatient hospital stay, per day",
                "units": days,
                "start_date": start,
                "end_date": end,
            }
        ],
        coverage=coverage_on(member=stay.member, day=start) or admission.coverage,
        place_of_service="21",
        submitted_by=actor,
        clinical_summary=clinical_summary
        or f"Concurrent review: {days} more days requested for the stay admitted "
        f"{admission_day(stay.admitted_at):%Y-%m-%d} (authorized through {stay.authorized_through:%Y-%m-%d}).",
    )
    review = StayReview.objects.create(stay=stay, case=case, days_requested=days, requested_by=actor)
    stay.open_review = review
    stay.version += 1
    stay.save(update_fields=["open_review", "version"])
    events.event_stay_review_requested(case=stay.case, actor=actor, stay=stay, review=review)
    return review


def stay_review_decided(*, case: AuthorizationRequest, actor) -> InpatientStay | None:
    """A decision on a request for more days: the approved days extend the stay (a revision
    upward, e.g. an appeal overturned, adds the difference); a denial or a withdrawal closes
    the request and leaves the stay due for review. Called by the decision and withdrawal
    services in their transactions, the case locked first. None for any other case."""
    review = StayReview.objects.select_for_update().filter(case=case).first()
    if review is None:
        return None
    stay = stay_lock(stay_id=review.stay_id)
    approved = _approved_days(case) if case.status in (CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED) else 0
    added = approved - (review.days_approved or 0)
    if added > 0 and stay.discharged_at is None:
        old_days, old_review_on = stay.authorized_days, stay.next_review_on
        stay.authorized_days += added
        stay.authorized_through = authorized_through_for(admitted_at=stay.admitted_at, days=stay.authorized_days)
        today = max(timezone.localdate(), admission_day(stay.admitted_at))
        chosen = review.next_review_on
        stay.next_review_on = (
            chosen
            if chosen and today <= chosen <= stay.authorized_through
            else review_day_adjust(stay.authorized_through, today=today)
        )
        events.event_stay_days_approved(
            case=stay.case, actor=actor, stay=stay, old_days=old_days, old_review_on=old_review_on, review=review
        )
    elif review.closed_at is None:
        events.event_stay_review_closed(
            case=stay.case, actor=actor, stay=stay, review=review, outcome=CaseStatus(case.status).label.lower()
        )
    review.days_approved = max(approved, review.days_approved or 0)
    review.closed_at = review.closed_at or timezone.now()
    review.save(update_fields=["days_approved", "closed_at"])
    if stay.open_review_id == review.pk:
        stay.open_review = None
    stay.version += 1
    stay.save(update_fields=["authorized_days", "authorized_through", "next_review_on", "open_review", "version"])
    return stay


def stay_note_add(*, stay: InpatientStay, actor, text: str) -> InpatientStay:
    """Append a discharge planning note (who and when, plan time)."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("Write the note.", errors={"note": ["This field is required."]})
    if len(text) > NOTE_MAX:
        raise ValidationFailed(
            f"The note is too long ({len(text)} characters, at most {NOTE_MAX}).", errors={"note": ["Too long."]}
        )
    stamp = timezone.localtime(timezone.now(), plan_tz()).strftime("%Y-%m-%d %H:%M")
    who = actor.get_full_name().strip() or actor.get_username()
    line = f"{stamp} ET, {who}: {text}"
    stay.discharge_planning_notes = f"{stay.discharge_planning_notes}\n{line}".strip()
    stay.version += 1
    stay.save(update_fields=["discharge_planning_notes", "version"])
    events.event_stay_note_added(case=stay.case, actor=actor, stay=stay, text=text)
    return stay


def stay_discharge(*, stay: InpatientStay, actor, discharged_at, disposition: str) -> InpatientStay:
    """Record the discharge (time and where to). A request for more days still open is
    withdrawn: there is nothing left to decide."""
    if disposition not in InpatientStay.Disposition.values:
        raise ValidationFailed("Say where the member went.", errors={"disposition": ["Choose a disposition."]})
    if not isinstance(discharged_at, datetime):
        raise ValidationFailed("Give the discharge date and time.", errors={"discharged_at": ["Not a date and time."]})
    if timezone.is_naive(discharged_at):
        discharged_at = timezone.make_aware(discharged_at, plan_tz())
    if discharged_at < stay.admitted_at:
        admitted = timezone.localtime(stay.admitted_at, plan_tz())
        raise ValidationFailed(
            f"The discharge is before the admission ({admitted:%Y-%m-%d %H:%M} ET).",
            errors={"discharged_at": ["Before the admission."]},
        )
    if discharged_at > timezone.now() + CLOCK_SKEW:
        raise ValidationFailed("The discharge is in the future.", errors={"discharged_at": ["In the future."]})
    review = stay.open_review
    if review is not None and review.case.is_open:
        with transaction.atomic():
            case_status_set(
                case=review.case,
                to_status=CaseStatus.WITHDRAWN,
                actor=actor,
                message="Withdrawn: the member was discharged before the request for more days was decided.",
            )
            events.event_withdrawn(case=review.case, actor=actor, reason="Member discharged.")
        review.closed_at = timezone.now()
        review.save(update_fields=["closed_at"])
    stay.discharged_at, stay.discharge_disposition = discharged_at, disposition
    stay.next_review_on, stay.open_review = None, None
    stay.version += 1
    stay.save(update_fields=["discharged_at", "discharge_disposition", "next_review_on", "open_review", "version"])
    events.event_stay_discharged(case=stay.case, actor=actor, stay=stay)
    return stay


def stay_continuation_extend(*, stay: InpatientStay, through: date, reason: str) -> InpatientStay:
    """Continuation of care (RULES.md section 5): the stay stays covered at least through
    `through` (discharge or the premium-paid date, whichever is later). Days already
    authorized beyond it are kept. Stays not opened by an admission request have no days
    to count and are left as they are (their continuation case carries the coverage)."""
    if stay.case_id is None or stay.discharged_at is not None:
        return stay
    locked = stay_lock(stay_id=stay.pk)
    if locked.authorized_through is not None and locked.authorized_through >= through:
        return locked
    old_days = locked.authorized_days
    locked.authorized_days = (through - admission_day(locked.admitted_at)).days + 1
    locked.authorized_through = through
    locked.version += 1
    locked.save(update_fields=["authorized_days", "authorized_through", "version"])
    events.event_stay_days_extended(case=locked.case, stay=locked, old_days=old_days, reason=reason)
    return locked
