"""Continuation of care from stays and authorizations (issue 19, item 4; RULES.md section 5):
a stay's days already authorized are kept and its continuation case is an authorization
whose number the provider's letter gives; the rights letter goes to members with an open
request or an active authorization with units left, once, and not to a member confined
there (who got the continuation-of-care letters)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import F

from cases.models import AuthorizationRequest, CaseEvent, InpatientStay, ProviderOrganization
from notifications.models import Letter
from notifications.services.continuation import continuation_run
from notifications.services.letters import letter_issue
from reviews.models import AuthorizationLine
from reviews.services.decisions import case_approve
from tests.factories import AgreementFactory, CoverageFactory, MemberFactory, OrganizationFactory

from .conftest import pdf_text, squash

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
END = date(2026, 3, 31)


@pytest.fixture
def hospital(db):
    org = OrganizationFactory(name="St. Brigid Regional Hospital", kind=ProviderOrganization.Kind.HOSPITAL)
    return org, AgreementFactory(organization=org)


def _member(name, paid_through):
    first, last = name.split()
    member = MemberFactory(first_name=first, last_name=last)
    CoverageFactory(member=member, premium_paid_through=paid_through)
    return member


@pytest.fixture
def approved(make_case, nurse):
    """An approved request of `member` at `org` (through the decision service, so it has
    its authorization), received at `when`."""

    def _approved(member, org, *, start, days, category="inpatient_admission", code="99223", when=None):
        with time_machine.travel(when or datetime(2026, 3, 10, 9, 0, tzinfo=NY), tick=False):
            case = make_case(
                member=member,
                service_category=category,
                servicing_organization=org,
                diagnosis_codes=["I50.9"],
                lines=[{"code_system": "CPT", "code": code, "units": days, "start_date": start,
                        "end_date": start + timedelta(days=days - 1)}],
            )  # fmt: skip
            case_approve(case_id=case.pk, actor=nurse)
        return case

    return _approved


def _run(agreement):
    agreement.end_date, agreement.end_reason = END, "termination"
    agreement.save()
    run = continuation_run(agreement_id=agreement.pk, today=END)
    for pk in Letter.objects.filter(status=Letter.Status.PENDING).values_list("pk", flat=True):
        letter_issue(letter_id=pk)
    return run


def test_stay_days_beyond_the_paid_period_are_kept_and_the_letter_names_the_authorization(hospital, approved):
    org, agreement = hospital
    member = _member("Irene Castellano", paid_through=date(2026, 4, 2))
    admission = approved(member, org, start=date(2026, 3, 29), days=8,
                         when=datetime(2026, 3, 29, 22, 0, tzinfo=NY))  # fmt: skip
    stay = InpatientStay.objects.get(case=admission)
    assert stay.authorized_through == date(2026, 4, 5)

    _run(agreement)

    coc = AuthorizationRequest.objects.get(kind="continuation_of_care")
    line = coc.lines.get()
    assert (line.start_date, line.end_date, line.approved_units) == (END, date(2026, 4, 5), 6)
    assert coc.authorization.number == f"A-{coc.reference}"
    stay.refresh_from_db()
    assert stay.authorized_through == date(2026, 4, 5)  # nothing taken away, nothing added
    letter = Letter.objects.get(case=coc, kind="continuation_of_care_provider")
    with letter.pdf.open("rb") as f:
        assert squash(coc.authorization.number) in squash(pdf_text(f.read()))


def test_stay_is_extended_to_the_paid_through_date_with_an_event(hospital, approved):
    org, agreement = hospital
    member = _member("James Nakamura", paid_through=date(2026, 4, 30))
    admission = approved(member, org, start=date(2026, 3, 29), days=3,
                         when=datetime(2026, 3, 29, 8, 0, tzinfo=NY))  # fmt: skip

    _run(agreement)

    stay = InpatientStay.objects.get(case=admission)
    assert (stay.authorized_through, stay.authorized_days) == (date(2026, 4, 30), 33)
    event = CaseEvent.objects.filter(case=admission, kind=CaseEvent.Kind.STAY_DAYS_APPROVED).get()
    assert "continuation of care" in event.message and event.new_value == "33"


def test_rights_letters_follow_active_authorizations_once(hospital, approved, make_case, nurse):
    org, agreement = hospital
    paid = date(2026, 12, 31)
    later = END + timedelta(days=20)
    active = _member("Anna Active", paid)
    approved(active, org, start=later, days=4, category="outpatient_procedure", code="27447")
    used_up = _member("Ursula Used", paid)
    case = approved(used_up, org, start=later, days=2, category="outpatient_procedure", code="27447")
    AuthorizationLine.objects.filter(authorization__case=case).update(units_used=F("approved_units"))
    expired = _member("Ed Expired", paid)
    approved(expired, org, start=END - timedelta(days=10), days=2, category="outpatient_procedure", code="27447")
    pending = _member("Olive Open", paid)
    make_case(
        member=pending,
        servicing_organization=org,
        lines=[{"code_system": "CPT", "code": "27447", "units": 1, "start_date": later, "end_date": later}],
    )
    # Confined on the end date and holding a future authorization too: the continuation
    # letters only, not a rights letter as well.
    confined = _member("Carl Confined", paid)
    approved(confined, org, start=date(2026, 3, 30), days=2, when=datetime(2026, 3, 30, 8, 0, tzinfo=NY))
    approved(confined, org, start=later, days=1, category="outpatient_procedure", code="27447")

    run = _run(agreement)
    again = _run(agreement)

    rights = Letter.objects.filter(kind="continuity_of_care_rights")
    assert sorted(x.case.member.last_name for x in rights) == ["Active", "Open"]
    assert run.rights_done == 2 and again.pk == run.pk and rights.count() == 2
    assert Letter.objects.filter(case__member=confined, kind="continuation_of_care_member").count() == 1
