"""Continuation of care when a provider agreement ends (RULES.md section 5)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AuthorizationRequest, ProviderOrganization
from notifications.letters.context import fmt_date
from notifications.models import ContinuationCase, ContinuationRun, Letter
from notifications.services.continuation import agreement_end_record, agreements_ending_due, continuation_run
from notifications.services.letters import letter_issue
from notifications.task_names import CONTINUATION_OF_CARE_RUN
from tests.factories import AgreementFactory, CoverageFactory, InpatientStayFactory, MemberFactory, OrganizationFactory
from tests.tasks_sent import tasks_sent

from .conftest import pdf_text, squash

pytestmark = pytest.mark.django_db
END = date(2026, 3, 31)


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _issue_pending():
    for pk in Letter.objects.filter(status=Letter.Status.PENDING).values_list("pk", flat=True):
        letter_issue(letter_id=pk)


@pytest.fixture
def hospital(db):
    org = OrganizationFactory(
        name="St. Brigid Regional Hospital",
        kind=ProviderOrganization.Kind.HOSPITAL,
        address="100 Harbor Road, Baltimore, MD 21201",
    )
    agreement = AgreementFactory(organization=org)
    return org, agreement


def _member(name: str, paid_through=date(2026, 4, 30), state="MD"):
    first, last = name.split()
    member = MemberFactory(first_name=first, last_name=last, state=state)
    CoverageFactory(member=member, premium_paid_through=paid_through, state=state)
    return member


@pytest.fixture
def three_admitted(hospital):
    org, _ = hospital
    confined = _member("Irene Castellano")
    long_stay = _member("James Nakamura", paid_through=date(2026, 3, 15))
    discharged = _member("Keisha Brandt")
    InpatientStayFactory(member=confined, facility=org, admitted_at=at(END - timedelta(days=3), 9))
    InpatientStayFactory(member=long_stay, facility=org, admitted_at=at(END, 7))  # admitted that very morning
    InpatientStayFactory(
        member=discharged,
        facility=org,
        admitted_at=at(END - timedelta(days=6), 9),
        discharged_at=at(END - timedelta(days=1), 16),
    )
    return confined, long_stay, discharged


def test_agreement_end_opens_cases_and_letters_for_exactly_the_two_confined(hospital, three_admitted, admin_user):
    org, agreement = hospital
    confined, long_stay, discharged = three_admitted

    agreement_end_record(agreement_id=agreement.pk, end_date=END, end_reason="termination", actor=admin_user)
    run = continuation_run(agreement_id=agreement.pk, today=END)
    _issue_pending()

    assert run.status == ContinuationRun.Status.DONE and run.stays_done == 2
    cases = AuthorizationRequest.objects.filter(kind="continuation_of_care")
    assert sorted(c.member.name for c in cases) == ["Irene Castellano", "James Nakamura"]
    assert {c.status for c in cases} == {"approved"}
    # Covered until discharge or the premium-paid period's end, whichever is later.
    line = cases.get(member=confined).lines.get()
    assert (line.start_date, line.end_date, line.approved_units, line.outcome) == (
        END,
        date(2026, 4, 30),
        31,
        "approved",
    )
    assert cases.get(member=long_stay).lines.get().end_date == END  # paid through before the end date
    letters = Letter.objects.filter(case__in=cases)
    assert sorted((x.case.member.last_name, x.kind, x.status) for x in letters) == [
        ("Castellano", "continuation_of_care_member", "issued"),
        ("Castellano", "continuation_of_care_provider", "issued"),
        ("Nakamura", "continuation_of_care_member", "issued"),
        ("Nakamura", "continuation_of_care_provider", "issued"),
    ]
    assert not Letter.objects.filter(case__member=discharged).exists()

    case = cases.get(member=confined)
    member_letter = letters.get(case=case, kind="continuation_of_care_member")
    with member_letter.pdf.open("rb") as f:
        text = squash(pdf_text(f.read()))
    for value in (
        "St. Brigid Regional Hospital",
        fmt_date(END),
        "until you leave the hospital",
        fmt_date(date(2026, 4, 30)),
        "Irene Castellano",
        case.reference,
    ):
        assert squash(value) in text, value
    provider_letter = letters.get(case=case, kind="continuation_of_care_provider")
    with provider_letter.pdf.open("rb") as f:
        text = squash(pdf_text(f.read()))
    for value in ("you must keep providing covered services and equipment", "Irene Castellano", case.reference):
        assert squash(value) in text, value


def test_the_run_happens_once_however_often_it_is_triggered(hospital, three_admitted):
    org, agreement = hospital
    agreement.end_date, agreement.end_reason = END, "expiration"
    agreement.save()

    first = continuation_run(agreement_id=agreement.pk, today=END)
    second = continuation_run(agreement_id=agreement.pk, today=END + timedelta(days=1))

    assert first.pk == second.pk
    assert ContinuationRun.objects.count() == 1 and ContinuationCase.objects.count() == 2
    assert AuthorizationRequest.objects.filter(kind="continuation_of_care").count() == 2
    assert Letter.objects.count() == 4


def test_bounded_batches_resume_where_they_stopped(hospital):
    org, agreement = hospital
    for i in range(5):
        InpatientStayFactory(
            member=_member(f"Patient Number{i}"), facility=org, admitted_at=at(END - timedelta(days=1), 8)
        )
    agreement.end_date, agreement.end_reason = END, "insolvency"
    agreement.save()

    from notifications.services.continuation import continuation_run_batch

    run = ContinuationRun.objects.create(agreement=agreement, end_date=END, end_reason="insolvency")
    run = continuation_run_batch(run_id=run.pk, batch_size=2)
    assert (run.stays_done, run.stays_finished) == (2, False)

    run = continuation_run(agreement_id=agreement.pk, batch_size=2, today=END)
    assert run.stays_done == 5 and ContinuationCase.objects.count() == 5


def test_not_run_before_the_end_takes_effect(hospital, three_admitted):
    _, agreement = hospital
    agreement.end_date, agreement.end_reason = END, "termination"
    agreement.save()

    assert continuation_run(agreement_id=agreement.pk, today=END - timedelta(days=1)) is None
    assert agreements_ending_due(today=END - timedelta(days=1)) == []
    assert agreements_ending_due(today=END) == [agreement.pk]
    continuation_run(agreement_id=agreement.pk, today=END)
    assert agreements_ending_due(today=END) == []


def test_members_with_future_services_get_the_continuity_rights_letter_with_california_conditions(
    hospital, make_case, ortho, decide
):
    org, agreement = hospital
    ca = _member("Elena Vasquez", state="CA")
    start = END + timedelta(days=20)
    lines = [
        {
            "code_system": "CPT",
            "code": "27447",
            "description": "Total knee replacement, right",
            "units": 1,
            "start_date": start,
            "end_date": start,
        }
    ]
    future = make_case(member=ca, servicing_organization=org, lines=lines)
    decide(future, "approved", basis="")
    make_case(member=ca, servicing_organization=org, lines=lines)  # a second open case: still one letter
    past = _member("Old Patient")
    done = make_case(
        member=past,
        servicing_organization=org,
        lines=[{**lines[0], "start_date": END - timedelta(days=30), "end_date": END - timedelta(days=30)}],
    )
    agreement.end_date, agreement.end_reason = END, "cessation_of_business"
    agreement.save()

    run = continuation_run(agreement_id=agreement.pk, today=END)
    _issue_pending()

    assert run.rights_done == 1
    letter = Letter.objects.get(kind="continuity_of_care_rights")
    assert (letter.case, letter.recipient, letter.status) == (future, "member", "issued"), letter.missing
    assert not Letter.objects.filter(case=done).exists()
    with letter.pdf.open("rb") as f:
        text = squash(pdf_text(f.read()))
    for value in (
        "this provider stopped doing business",
        "A serious chronic condition: for up to 12 months.",
        "scheduled within 180 days",
        "Care of a newborn from birth to 36 months old",
    ):
        assert squash(value) in text, value


def test_admin_recording_a_past_end_date_triggers_the_run_after_commit(
    hospital, admin_user, client, django_capture_on_commit_callbacks
):
    _, agreement = hospital
    client.force_login(admin_user)
    past = timezone.localdate() - timedelta(days=1)
    with tasks_sent() as sent:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("admin:cases_provideragreement_change", args=[agreement.pk]),
                {
                    "organization": agreement.organization_id,
                    "effective_date": "2020-01-01",
                    "end_date": past.isoformat(),
                    "end_reason": "termination",
                },
            )

    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.end_date, agreement.end_reason) == (past, "termination")
    assert sent == [(CONTINUATION_OF_CARE_RUN, (agreement.pk,))]


def test_future_end_date_waits_for_the_daily_beat(hospital, admin_user, django_capture_on_commit_callbacks):
    _, agreement = hospital
    with tasks_sent() as sent:
        with django_capture_on_commit_callbacks(execute=True):
            agreement_end_record(
                agreement_id=agreement.pk,
                end_date=timezone.localdate() + timedelta(days=10),
                end_reason="expiration",
                actor=admin_user,
            )

    assert sent == []
