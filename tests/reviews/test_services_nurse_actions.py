from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import CaseEvent, CaseStatus
from reviews.models import Decision, Pend
from reviews.services.assignment import case_assign, case_note_add
from reviews.services.decisions import case_approve, case_deny, case_partially_approve
from reviews.services.pends import case_pend, case_route_to_physician
from um_portal.exceptions import Conflict, NotAllowed, NotFound, ValidationFailed

from .helpers import PASSWORD, knee_criteria, written

pytestmark = pytest.mark.django_db


def test_nurse_claims_a_received_case_and_review_starts(make_case, nurse):
    case = make_case()

    case_assign(case_id=case.pk, actor=nurse)

    case.refresh_from_db()
    assert case.assigned_to == nurse and case.status == CaseStatus.IN_REVIEW
    assert case.events.filter(kind=CaseEvent.Kind.ASSIGNED, new_value="nurse").exists()


def test_claiming_a_case_someone_else_holds_is_a_conflict_and_writes_nothing(make_case, nurse, nurse2):
    case = make_case()
    case_assign(case_id=case.pk, actor=nurse)
    before = written(case)

    with pytest.raises(Conflict, match="claimed by"):
        case_assign(case_id=case.pk, actor=nurse2)

    assert written(case) == before


def test_reassign_names_the_new_reviewer(make_case, nurse, nurse2):
    case = make_case()
    case_assign(case_id=case.pk, actor=nurse)

    case_assign(case_id=case.pk, actor=nurse, assignee=nurse2)

    case.refresh_from_db()
    assert case.assigned_to == nurse2


def test_cases_cannot_be_assigned_to_a_provider(make_case, nurse, provider):
    case = make_case()
    before = written(case)

    with pytest.raises(ValidationFailed):
        case_assign(case_id=case.pk, actor=nurse, assignee=provider)

    assert written(case) == before


def test_provider_cannot_assign_and_stranger_cannot_see(make_case, provider, provider2):
    case = make_case()
    before = written(case)

    with pytest.raises(NotAllowed):
        case_assign(case_id=case.pk, actor=provider)
    with pytest.raises(NotFound):
        case_assign(case_id=case.pk, actor=provider2)

    assert written(case) == before


def test_note_is_an_internal_event(make_case, nurse):
    case = make_case()

    case_note_add(case_id=case.pk, actor=nurse, text="Called the office for PT notes.")

    note = case.events.get(kind=CaseEvent.Kind.NOTE_ADDED)
    assert note.message == "Called the office for PT notes." and note.provider_visible is False


def test_nurse_approves_in_full_per_line_and_pins_criteria(make_case, nurse):
    version = knee_criteria()
    case = make_case()

    decision = case_approve(case_id=case.pk, actor=nurse, rationale="Meets all indications.", criteria_ids=[version.pk])

    case.refresh_from_db()
    line = case.lines.get()
    assert case.status == CaseStatus.APPROVED and case.decided_at == decision.decided_at
    assert (line.approved_units, line.outcome) == (line.units, "approved")
    assert list(decision.criteria.all()) == [version]
    version.refresh_from_db()
    assert version.locked_at is not None
    event = case.events.get(kind=CaseEvent.Kind.DECISION_RECORDED)
    assert event.data == {"decision_id": decision.pk, "outcome": "approved", "basis": ""}


def test_decided_case_cannot_be_decided_again(make_case, nurse, physician):
    case = make_case()
    case_approve(case_id=case.pk, actor=nurse)
    before = written(case)

    with pytest.raises(Conflict, match="already approved"):
        case_approve(case_id=case.pk, actor=nurse)
    with pytest.raises(Conflict):
        case_deny(
            reason_code="MN01",
            case_id=case.pk,
            actor=physician,
            basis="medical_necessity",
            reason="x",
            password=PASSWORD,
        )

    assert written(case) == before


def test_stale_version_is_a_conflict(make_case, nurse):
    case = make_case()
    version = case.version
    case_assign(case_id=case.pk, actor=nurse)
    before = written(case)

    with pytest.raises(Conflict, match="changed by someone else"):
        case_approve(case_id=case.pk, actor=nurse, expected_version=version)

    assert written(case) == before


def test_nurse_pends_for_information(make_case, nurse):
    case = make_case()
    respond_by = timezone.localdate() + timedelta(days=5)

    pend = case_pend(
        reason_code="PD01",
        case_id=case.pk,
        actor=nurse,
        requested_information="Last 3 months of PT notes",
        respond_by=respond_by,
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.PENDED and pend.is_open
    event = case.events.get(kind=CaseEvent.Kind.INFORMATION_REQUESTED)
    assert event.data == {"pend_id": pend.pk, "respond_by": respond_by.isoformat()}


def test_pend_needs_what_is_missing_and_a_future_date(make_case, nurse):
    case = make_case()
    before = written(case)

    with pytest.raises(ValidationFailed) as err:
        case_pend(
            reason_code="PD01",
            case_id=case.pk,
            actor=nurse,
            requested_information=" ",
            respond_by=timezone.localdate() - timedelta(days=1),
        )

    assert set(err.value.errors) == {"requested_information", "respond_by"}
    assert written(case) == before


def test_pended_case_cannot_be_pended_twice(make_case, nurse):
    case = make_case()
    case_pend(
        reason_code="PD01", case_id=case.pk, actor=nurse, requested_information="Notes", respond_by=timezone.localdate()
    )
    before = written(case)

    with pytest.raises(Conflict):
        case_pend(
            reason_code="PD01",
            case_id=case.pk,
            actor=nurse,
            requested_information="More",
            respond_by=timezone.localdate(),
        )

    assert written(case) == before and Pend.objects.count() == 1


def test_nurse_denies_on_benefit_grounds(make_case, nurse):
    case = make_case()

    decision = case_deny(
        reason_code="BN01", case_id=case.pk, actor=nurse, basis="benefit", reason="Cosmetic surgery is excluded."
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.DENIED and decision.basis == "benefit" and decision.signed_at is None
    assert list(case.lines.values_list("approved_units", "outcome")) == [(0, "denied")]


def test_benefit_denial_needs_a_reason(make_case, nurse):
    case = make_case()
    before = written(case)

    with pytest.raises(ValidationFailed):
        case_deny(reason_code="AD01", case_id=case.pk, actor=nurse, basis="administrative", reason="")

    assert written(case) == before


@pytest.mark.parametrize("basis", ["medical_necessity"])
def test_nurse_cannot_deny_on_medical_necessity(make_case, nurse, basis):
    version = knee_criteria()
    case = make_case()
    before = written(case)

    with pytest.raises(NotAllowed, match="Only a physician"):
        case_deny(
            reason_code="MN01",
            case_id=case.pk,
            actor=nurse,
            basis=basis,
            reason="Not enough PT.",
            criteria_ids=[version.pk],
            password=PASSWORD,
        )

    assert written(case) == before and not Decision.objects.exists()


def test_nurse_cannot_partially_approve_by_either_service(make_case, nurse):
    case = make_case(
        lines=[
            {
                "code_system": "HCPCS",
                "code": "G0151",
                "units": 6,
                "start_date": timezone.localdate() + timedelta(days=3),
                "end_date": timezone.localdate() + timedelta(days=30),
            }
        ],
        service_category="home_health",
    )
    line = case.lines.get()
    before = written(case)

    with pytest.raises(NotAllowed):
        case_partially_approve(
            reason_code="MN03",
            case_id=case.pk,
            actor=nurse,
            reason="3 visits",
            lines=[{"id": line.pk, "approved_units": 3}],
            password=PASSWORD,
        )
    with pytest.raises(NotAllowed):
        case_approve(case_id=case.pk, actor=nurse, lines=[{"id": line.pk, "approved_units": 3}])

    assert written(case) == before


def test_nurse_routes_to_physician_with_a_note(make_case, nurse, physician):
    case = make_case()
    case_assign(case_id=case.pk, actor=nurse)

    case_route_to_physician(case_id=case.pk, actor=nurse, note="Only 4 weeks of PT documented.")

    case.refresh_from_db()
    assert case.status == CaseStatus.PHYSICIAN_REVIEW and case.assigned_to is None
    assert case.events.get(kind=CaseEvent.Kind.ROUTED_TO_PHYSICIAN).message == "Only 4 weeks of PT documented."


def test_routing_needs_a_note_and_a_routed_case_is_the_physicians(make_case, nurse):
    case = make_case()
    before = written(case)
    with pytest.raises(ValidationFailed):
        case_route_to_physician(case_id=case.pk, actor=nurse, note="")
    assert written(case) == before

    case_route_to_physician(case_id=case.pk, actor=nurse, note="Needs MD")
    before = written(case)
    with pytest.raises(Conflict, match="with a physician"):
        case_approve(case_id=case.pk, actor=nurse)
    assert written(case) == before


def test_admin_role_cannot_decide(make_case, admin_user):
    case = make_case()
    before = written(case)

    with pytest.raises(NotAllowed):
        case_approve(case_id=case.pk, actor=admin_user)
    with pytest.raises(NotAllowed):
        case_deny(reason_code="BN01", case_id=case.pk, actor=admin_user, basis="benefit", reason="x")

    assert written(case) == before


def test_decision_sets_the_notice_deadline(make_case, nurse):
    case = make_case()

    case_approve(case_id=case.pk, actor=nurse)

    case.refresh_from_db()
    assert case.notice_due_at is not None and case.notice_due_at <= case.decision_due_at
