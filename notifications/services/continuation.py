"""Continuation of care (RULES.md section 5; provider manual 13.2; H&S Code 1373.96).

When a provider agreement's end takes effect, every member confined as an inpatient at
that organization's facilities on that date gets an approved continuation-of-care case
keeping the stay covered until discharge or the end of the premium-paid period, whichever
is later, with letters to member and provider; every member with open or approved future
services with that provider is told of the right to ask for continuity of care.

One ContinuationRun per agreement end (unique), worked in bounded batches under a row lock
with keyset cursors, so it runs once however often it is triggered and resumes where a dead
worker left it.
"""

from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import (
    AuthorizationRequest,
    CaseEvent,
    CaseStatus,
    Channel,
    InpatientStay,
    ProviderAgreement,
    ReviewType,
    ServiceCategory,
    ServiceLine,
)
from cases.services.intake import case_create, coverage_on
from cases.services.stays import stay_continuation_extend
from cases.services.workflow import case_status_set
from reviews.services.authorizations import authorization_issue
from um_portal.enqueue import task_send, task_send_on_commit
from um_portal.exceptions import NotFound, ValidationFailed

from ..letters.deadlines import letter_due_at
from ..models import ContinuationCase, ContinuationRun, Letter
from ..task_names import CONTINUATION_OF_CARE_RUN, LETTER_ISSUE, LETTERS_GENERATE_FOR_EVENT
from .letters import letters_plan_for_event

BATCH = 200
# Missed beats: ends that took effect up to a week ago without a finished run are run too.
CATCH_UP_DAYS = 7
# The continued stay, as a service line: subsequent hospital inpatient care, per day.
STAY_CODE = ("CPT", "99232")
STAY_DESCRIPTION = "Inpatient hospital stay, continued until discharge"
# Z76.89: persons encountering health services in other specified circumstances.
STAY_DIAGNOSIS = "Z76.89"
OPEN_RIGHTS_STATUSES = (
    CaseStatus.RECEIVED,
    CaseStatus.IN_REVIEW,
    CaseStatus.PENDED,
    CaseStatus.PHYSICIAN_REVIEW,
)
APPROVED_STATUSES = (CaseStatus.APPROVED, CaseStatus.PARTIALLY_APPROVED)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@transaction.atomic
def agreement_end_record(*, agreement_id: int, end_date: date, end_reason: str, actor=None) -> ProviderAgreement:
    """Record when and why an agreement ends. If that day has come, continuation of care
    runs once the change commits; otherwise the daily beat runs it on the day."""
    agreement = ProviderAgreement.objects.select_for_update().filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound("No such agreement.")
    if end_reason not in ProviderAgreement.EndReason.values:
        raise ValidationFailed("Give why the agreement ends.", errors={"end_reason": ["Choose a reason."]})
    if end_date < agreement.effective_date:
        raise ValidationFailed(
            "The end date is before the agreement started.", errors={"end_date": ["Must be on or after the start."]}
        )
    agreement.end_date, agreement.end_reason = end_date, end_reason
    agreement.save(update_fields=["end_date", "end_reason"])
    if end_date <= timezone.localdate():
        task_send_on_commit(
            CONTINUATION_OF_CARE_RUN, agreement.pk, unsent="the daily continuation-of-care run starts it."
        )
    return agreement


def agreements_ending_due(*, today: date | None = None) -> list[int]:
    today = today or timezone.localdate()
    done = ContinuationRun.objects.filter(status=ContinuationRun.Status.DONE).values("agreement_id", "end_date")
    finished = {(r["agreement_id"], r["end_date"]) for r in done}
    candidates = ProviderAgreement.objects.filter(
        end_date__gte=today - timedelta(days=CATCH_UP_DAYS), end_date__lte=today
    ).values_list("pk", "end_date")
    return [pk for pk, end in candidates if (pk, end) not in finished]


def confined_stays(*, organization_id: int, on: date):
    """Stays at the organization's facilities with the member an inpatient on `on`:
    admitted on or before that day, not discharged before the next."""
    next_day = _day_start(on + timedelta(days=1))
    return (
        InpatientStay.objects.filter(facility_id=organization_id, admitted_at__lt=next_day)
        .exclude(discharged_at__lt=next_day)
        .order_by("id")
    )


def _open_case(run: ContinuationRun, stay: InpatientStay) -> CaseEvent:
    agreement = run.agreement
    org = agreement.organization
    coverage = coverage_on(member=stay.member, day=run.end_date)
    paid_through = coverage.premium_paid_through if coverage and coverage.premium_paid_through else run.end_date
    # Days the stay already holds (concurrent review, issue 19) are never cut short.
    covered_through = max(paid_through, run.end_date, stay.authorized_through or run.end_date)
    units = (covered_through - run.end_date).days + 1
    case = case_create(
        member=stay.member,
        requesting_organization=org,
        servicing_organization=org,
        service_category=ServiceCategory.INPATIENT_ADMISSION,
        review_type=ReviewType.CONCURRENT,
        diagnosis_codes=[STAY_DIAGNOSIS],
        lines=[
            {
                "code_system": STAY_CODE[0],
                "code": STAY_CODE[1],
                "description": STAY_DESCRIPTION,
                "units": units,
                "start_date": run.end_date,
                "end_date": covered_through,
            }
        ],
        kind=AuthorizationRequest.Kind.CONTINUATION_OF_CARE,
        channel=Channel.PORTAL,
        coverage=coverage,
        place_of_service="21",
        clinical_summary=(
            f"Continuation of care: the agreement with {org.name} ended on {run.end_date:%Y-%m-%d} "
            f"({agreement.get_end_reason_display().lower()}) while the member was an inpatient (admitted "
            f"{timezone.localtime(stay.admitted_at):%Y-%m-%d}). The stay stays covered until discharge or through "
            f"{covered_through:%Y-%m-%d}, whichever is later."
        ),
    )
    ServiceLine.objects.filter(case=case).update(approved_units=units, outcome=ServiceLine.Outcome.APPROVED)
    case_status_set(
        case=case,
        to_status=CaseStatus.APPROVED,
        actor=None,
        message="Continuation of care: the stay is covered until discharge (provider manual 13.2).",
        extra_fields={"decided_at": timezone.now()},
    )
    # The continued stay is an authorization like any approval (issue 19, item 1): its
    # number is the reference the provider's letter gives for claims.
    authorization_issue(case=case)
    stay_continuation_extend(stay=stay, through=covered_through, reason=f"continuation of care ({case.reference})")
    ContinuationCase.objects.create(run=run, stay=stay, case=case)
    return case.events.filter(kind=CaseEvent.Kind.STATUS_CHANGED, new_value=CaseStatus.APPROVED).latest("at", "id")


def _stays_batch(run: ContinuationRun, batch_size: int) -> None:
    stays = list(
        confined_stays(organization_id=run.agreement.organization_id, on=run.end_date)
        .filter(id__gt=run.last_stay_id)
        .select_related("member")[:batch_size]
    )
    done = set(ContinuationCase.objects.filter(run=run, stay__in=stays).values_list("stay_id", flat=True))
    for stay in stays:
        if stay.pk in done:
            continue
        event = _open_case(run, stay)
        letters_plan_for_event(event=event)
        transaction.on_commit(lambda pk=event.pk: task_send(LETTERS_GENERATE_FOR_EVENT, pk))
        run.stays_done += 1
    if stays:
        run.last_stay_id = stays[-1].pk
    if len(stays) < batch_size:
        run.stays_finished = True


def _rights_batch(run: ContinuationRun, batch_size: int) -> None:
    """One rights letter per member with open or approved future services with the provider."""
    end = run.end_date
    # Open requests for services on or after the end date; approvals through their active
    # authorization (valid on the end date, a line not yet used up: issue 19, item 1), or
    # their lines where they were decided before authorizations existed.
    open_future = Q(status__in=OPEN_RIGHTS_STATUSES, lines__end_date__gte=end)
    authorized = Q(
        status__in=APPROVED_STATUSES,
        authorization__valid_to__gte=end,
        authorization__lines__end_date__gte=end,
        authorization__lines__units_used__lt=F("authorization__lines__approved_units"),
    )
    legacy = Q(status__in=APPROVED_STATUSES, authorization__isnull=True, lines__end_date__gte=end)
    future = (
        AuthorizationRequest.objects.filter(
            open_future | authorized | legacy,
            servicing_organization_id=run.agreement.organization_id,
            member_id__gt=run.last_rights_member_id,
        )
        .exclude(kind=AuthorizationRequest.Kind.CONTINUATION_OF_CARE)
        # Once only: a member confined there got the continuation-of-care letters instead.
        .exclude(member_id__in=ContinuationCase.objects.filter(run=run).values("stay__member_id"))
        .order_by("member_id", "received_at", "id")
        .values_list("member_id", "pk")
    )
    chosen: dict[int, object] = {}
    for member_id, case_id in future.iterator():
        if member_id not in chosen:
            if len(chosen) == batch_size:
                break
            chosen[member_id] = case_id
    for case_id in chosen.values():
        case = AuthorizationRequest.objects.select_related("coverage", "member").get(pk=case_id)
        kind, recipient = Letter.Kind.CONTINUITY_OF_CARE_RIGHTS, Letter.Recipient.MEMBER
        letter, created = Letter.objects.get_or_create(
            case=case,
            kind=kind,
            recipient=recipient,
            continuation_run=run,
            defaults={"due_at": letter_due_at(case=case, kind=kind, recipient=recipient, event=None)},
        )
        if created:
            run.rights_done += 1
        transaction.on_commit(lambda pk=letter.pk: task_send(LETTER_ISSUE, str(pk)))
    if chosen:
        run.last_rights_member_id = max(chosen)
    if len(chosen) < batch_size:
        run.rights_finished = True


def continuation_run_batch(*, run_id: int, batch_size: int = BATCH) -> ContinuationRun:
    """One bounded step of a run, in one transaction with the run row locked."""
    with transaction.atomic():
        run = ContinuationRun.objects.select_for_update().select_related("agreement__organization").get(pk=run_id)
        if run.status == ContinuationRun.Status.DONE:
            return run
        if not run.stays_finished:
            _stays_batch(run, batch_size)
        elif not run.rights_finished:
            _rights_batch(run, batch_size)
        else:
            run.status, run.finished_at = ContinuationRun.Status.DONE, timezone.now()
        run.save()
        return run


def continuation_run(*, agreement_id: int, batch_size: int = BATCH, today: date | None = None):
    """Run (or finish) continuation of care for the agreement's end, if it has taken effect."""
    today = today or timezone.localdate()
    agreement = ProviderAgreement.objects.filter(pk=agreement_id).first()
    if agreement is None or agreement.end_date is None or agreement.end_date > today:
        return None
    try:
        with transaction.atomic():
            run, _ = ContinuationRun.objects.get_or_create(
                agreement=agreement, end_date=agreement.end_date, defaults={"end_reason": agreement.end_reason}
            )
    except IntegrityError:
        run = ContinuationRun.objects.get(agreement=agreement, end_date=agreement.end_date)
    while run.status != ContinuationRun.Status.DONE:
        run = continuation_run_batch(run_id=run.pk, batch_size=batch_size)
    return run
