"""The provider intake service: every check answers a message a person can act on, and a
refused submission writes nothing."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from cases.deadlines.clocks import case_clocks_compute
from cases.models import AuthorizationRequest, CaseEvent
from cases.services.intake import authorization_submit
from um_portal.exceptions import Conflict, NotAllowed, ValidationFailed

from ..factories import AgreementFactory, CoverageFactory, MemberFactory, OrganizationFactory, PractitionerFactory

pytestmark = pytest.mark.django_db


def _submit(user, data: dict, **extra):
    data = {**data, **extra}
    lines = []
    for line in data.pop("lines"):
        lines.append(
            {
                **line,
                "start_date": date.fromisoformat(line["start_date"])
                if isinstance(line["start_date"], str)
                else line["start_date"],
                "end_date": date.fromisoformat(line["end_date"])
                if isinstance(line["end_date"], str)
                else line["end_date"],
            }
        )
    dob = data.pop("member_date_of_birth")
    return authorization_submit(
        user=user,
        member_date_of_birth=date.fromisoformat(dob) if isinstance(dob, str) else dob,
        lines=lines,
        **data,
    )


def _refused(exc_type, user, data, **extra):
    before = (AuthorizationRequest.objects.count(), CaseEvent.objects.count())
    with pytest.raises(exc_type) as excinfo:
        _submit(user, data, **extra)
    assert (AuthorizationRequest.objects.count(), CaseEvent.objects.count()) == before
    return excinfo.value


def _line(start, end=None, code="27447", system="CPT"):
    end = end or start
    return [{"code_system": system, "code": code, "units": 1, "start_date": start, "end_date": end}]


def test_provider_submission_creates_case_with_reference_due_time_and_resolved_providers(
    provider, payload, surgeon, ortho, member
):
    case = _submit(provider, payload())

    assert case.reference.startswith("UM-")
    assert case.decision_due_at > case.received_at
    assert (case.requesting_practitioner, case.requesting_organization) == (surgeon, ortho)
    assert (case.servicing_practitioner, case.servicing_organization) == (None, ortho)
    assert case.channel == "portal" and case.submitted_by == provider
    assert case.coverage == member.coverages.get()
    assert case.likely_duplicate_of is None


def test_unknown_member_or_wrong_birth_date_is_not_found(provider, payload):
    err = _refused(ValidationFailed, provider, payload(member_date_of_birth="1961-04-03"))
    assert "No member matches" in err.errors["member_number"][0]
    err = _refused(ValidationFailed, provider, payload(member_number="M999999"))
    assert "No member matches" in err.errors["member_number"][0]


def test_member_not_eligible_on_the_dates_of_service_says_when_coverage_ended(provider, payload, member):
    member.coverages.update(end_date=timezone.localdate() + timedelta(days=5))
    err = _refused(ValidationFailed, provider, payload())
    assert "not eligible" in err.errors["member_number"][0]
    assert "Coverage ended" in err.errors["member_number"][0]


def test_servicing_provider_without_agreement_is_not_contracted(provider, payload):
    outsider = OrganizationFactory(name="Uncontracted Clinic")
    err = _refused(ValidationFailed, provider, payload(servicing_provider_npi=outsider.npi))
    assert "not contracted" in err.errors["servicing_provider_npi"][0]


def test_agreement_ended_before_the_dates_of_service_is_refused(provider, payload):
    lapsed = OrganizationFactory(name="Lapsed Therapy")
    AgreementFactory(organization=lapsed, end_date=timezone.localdate() + timedelta(days=1), end_reason="termination")
    err = _refused(ValidationFailed, provider, payload(servicing_provider_npi=lapsed.npi))
    assert "agreement ended" in err.errors["servicing_provider_npi"][0]


def test_invalid_and_unknown_npis_are_named(provider, payload):
    err = _refused(
        ValidationFailed, provider, payload(requesting_provider_npi="1234567890", servicing_provider_npi="1000000004")
    )
    assert "not a valid NPI" in err.errors["requesting_provider_npi"][0]
    assert "not in the plan's provider directory" in err.errors["servicing_provider_npi"][0]


def test_malformed_codes_are_reported_per_field(provider, payload):
    start = (timezone.localdate() + timedelta(days=3)).isoformat()
    err = _refused(ValidationFailed, provider, payload(diagnosis_codes=["17.11"], lines=_line(start, code="2744")))
    assert "ICD-10-CM" in err.errors["diagnosis_codes"][0]
    assert "Line 1" in err.errors["lines"][0]


def test_reversed_and_far_future_dates_are_refused(provider, payload):
    today = timezone.localdate()
    err = _refused(
        ValidationFailed,
        provider,
        payload(lines=_line((today + timedelta(days=9)).isoformat(), (today + timedelta(days=3)).isoformat())),
    )
    assert "before the start date" in err.errors["lines"][0]
    far = (today + timedelta(days=400)).isoformat()
    err = _refused(ValidationFailed, provider, payload(lines=_line(far)))
    assert "365 days ahead" in err.errors["lines"][0]


def test_expedited_needs_a_reason(provider, payload):
    err = _refused(ValidationFailed, provider, payload(urgency="expedited", expedited_reason="  "))
    assert "expedited_reason" in err.errors
    case = _submit(provider, payload(urgency="expedited", expedited_reason="Progressive weakness."))
    assert case.urgency == "expedited"


def test_provider_cannot_set_channel_or_received_at(provider, payload):
    err = _refused(ValidationFailed, provider, payload(channel="fax", received_at=timezone.now() - timedelta(days=1)))
    assert set(err.errors) == {"channel", "received_at"}


def test_staff_enter_fax_request_with_past_received_at_and_clocks_run_from_it(nurse, payload):
    arrived = timezone.now() - timedelta(hours=6)
    case = _submit(nurse, payload(channel="fax", received_at=arrived))
    assert case.channel == "fax"
    assert case.received_at == arrived
    # The clocks run from when the fax arrived, not from when it was keyed in.
    due, clocks = case_clocks_compute(case=case)
    assert (case.decision_due_at, case.clocks) == (due, clocks)
    assert all(clock["started_by"] == "received" for clock in case.clocks)


def test_staff_cannot_date_a_request_in_the_future(nurse, payload):
    err = _refused(ValidationFailed, nurse, payload(channel="phone", received_at=timezone.now() + timedelta(hours=1)))
    assert "future" in err.errors["received_at"][0]


def test_provider_must_be_requester_or_servicer(provider, payload, imaging):
    radiologist = PractitionerFactory(organization=imaging)
    err = _refused(
        NotAllowed, provider, payload(requesting_provider_npi=radiologist.npi, servicing_provider_npi=imaging.npi)
    )
    assert err.code == "organization_not_on_request"


def test_likely_duplicate_is_flagged_and_can_be_confirmed(provider, payload):
    first = _submit(provider, payload())
    err = _refused(Conflict, provider, payload())
    assert err.code == "likely_duplicate"
    assert first.reference in err.message

    second = _submit(provider, payload(), confirm_duplicate=True)
    assert second.likely_duplicate_of == first
    assert second.events.filter(kind=CaseEvent.Kind.DUPLICATE_FLAGGED).count() == 1


def test_same_code_on_other_dates_or_for_another_member_is_not_a_duplicate(provider, payload, member):
    _submit(provider, payload())
    later = (timezone.localdate() + timedelta(days=60)).isoformat()
    assert _submit(provider, payload(lines=_line(later))).likely_duplicate_of is None
    other = MemberFactory(member_number="M100777")
    CoverageFactory(member=other)
    other_payload = payload(member_number=other.member_number, member_date_of_birth=other.date_of_birth.isoformat())
    assert _submit(provider, other_payload).likely_duplicate_of is None


def test_a_decided_request_is_not_a_duplicate_candidate(provider, payload, decided):
    first = _submit(provider, payload())
    decided(first)
    assert _submit(provider, payload()).likely_duplicate_of is None


def test_every_problem_is_reported_in_one_pass(provider, payload):
    """Issue 22, item 3: a wrong line no longer hides an unknown member and a bad NPI
    until the next round."""
    start = (timezone.localdate() + timedelta(days=10)).isoformat()
    before = (timezone.localdate() + timedelta(days=5)).isoformat()
    exc = _refused(
        ValidationFailed,
        provider,
        payload(member_number="NOBODY", servicing_provider_npi="1234567890", lines=_line(start, before)),
    )
    assert set(exc.errors) == {"lines", "member_number", "servicing_provider_npi"}
    assert "end date" in exc.errors["lines"][0]
    assert "No member matches" in exc.errors["member_number"][0]
    assert "not a valid NPI" in exc.errors["servicing_provider_npi"][0]
