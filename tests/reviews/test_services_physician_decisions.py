from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import CaseEvent, CaseStatus
from reviews.services.decisions import case_approve, case_deny, case_partially_approve
from reviews.services.pends import case_route_to_physician
from tests.factories import CoverageFactory, CriteriaVersionFactory, MemberFactory
from um_portal.exceptions import NotAllowed, ValidationFailed

from .helpers import PASSWORD, knee_criteria, written

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(make_case, nurse):
    def _routed(**kwargs):
        case = make_case(**kwargs)
        case_route_to_physician(case_id=case.pk, actor=nurse, note="Criteria not clearly met.")
        return case

    return _routed


@pytest.fixture
def home_health(routed):
    start = timezone.localdate() + timedelta(days=3)
    return routed(
        service_category="home_health",
        lines=[
            {
                "code_system": "HCPCS",
                "code": "G0151",
                "units": 6,
                "start_date": start,
                "end_date": start + timedelta(days=30),
            },
            {
                "code_system": "HCPCS",
                "code": "G0152",
                "units": 4,
                "start_date": start,
                "end_date": start + timedelta(days=30),
            },
        ],
    )


def test_physician_denies_on_medical_necessity_signed_with_license_and_locked_criteria(routed, physician):
    version = knee_criteria()
    case = routed()

    decision = case_deny(
        reason_code="MN01",
        case_id=case.pk,
        actor=physician,
        basis="medical_necessity",
        reason="Your notes show 4 weeks of physical therapy; the criteria ask for 12 weeks first.",
        criteria_ids=[version.pk],
        password=PASSWORD,
    )

    case.refresh_from_db()
    version.refresh_from_db()
    assert case.status == CaseStatus.DENIED and case.decided_at is not None
    assert decision.decided_by == physician and decision.signed_at is not None
    assert decision.license.state == "MD" and decision.license.physician == physician
    assert version.locked_at is not None and list(decision.criteria.all()) == [version]
    assert case.events.filter(kind=CaseEvent.Kind.DECISION_RECORDED, new_value="denied").count() == 1


def test_physician_without_license_in_members_state_is_refused_with_a_clear_message(routed, physician_ca):
    version = knee_criteria()
    case = routed()
    before = written(case)

    with pytest.raises(NotAllowed, match="no license active in MD") as err:
        case_deny(
            reason_code="MN01",
            case_id=case.pk, actor=physician_ca, basis="medical_necessity", reason="No.", criteria_ids=[version.pk],
            password=PASSWORD,
        )  # fmt: skip

    assert err.value.code == "license_required"
    assert written(case) == before


def test_expired_license_does_not_count(routed, physician):
    physician.licenses.filter(state="MD").update(expires_on=timezone.localdate() - timedelta(days=1))
    version = knee_criteria()
    case = routed()
    before = written(case)

    with pytest.raises(NotAllowed):
        case_deny(
            reason_code="MN01",
            case_id=case.pk, actor=physician, basis="medical_necessity", reason="No.", criteria_ids=[version.pk],
            password=PASSWORD,
        )  # fmt: skip

    assert written(case) == before


def test_ca_physician_may_deny_for_a_ca_member(routed, physician_ca):
    member = MemberFactory(state="CA")
    CoverageFactory(member=member)
    version = knee_criteria()
    case = routed(member=member)

    decision = case_deny(
        reason_code="MN01",
        case_id=case.pk, actor=physician_ca, basis="medical_necessity", reason="Not yet.", criteria_ids=[version.pk],
        password=PASSWORD,
    )  # fmt: skip

    assert decision.license.state == "CA"


def test_wrong_signature_password_writes_nothing(routed, physician):
    version = knee_criteria()
    case = routed()
    before = written(case)

    with pytest.raises(ValidationFailed) as err:
        case_deny(
            reason_code="MN01",
            case_id=case.pk, actor=physician, basis="medical_necessity", reason="No.", criteria_ids=[version.pk],
            password="wrong",
        )  # fmt: skip

    assert err.value.code == "signature_invalid" and "password" in err.value.errors
    assert written(case) == before


def test_medical_necessity_denial_needs_criteria_and_reason(routed, physician):
    case = routed()
    before = written(case)

    with pytest.raises(ValidationFailed, match="criteria"):
        case_deny(
            reason_code="MN01",
            case_id=case.pk,
            actor=physician,
            basis="medical_necessity",
            reason="No.",
            password=PASSWORD,
        )
    with pytest.raises(ValidationFailed, match="reason"):
        case_deny(
            reason_code="MN01",
            case_id=case.pk, actor=physician, basis="medical_necessity", reason=" ", criteria_ids=[knee_criteria().pk],
            password=PASSWORD,
        )  # fmt: skip

    assert written(case) == before


def test_criteria_not_in_force_on_the_date_of_service_are_refused(routed, physician):
    old = CriteriaVersionFactory(effective_from=timezone.localdate() - timedelta(days=900),
                                 effective_to=timezone.localdate() - timedelta(days=400))  # fmt: skip
    case = routed()
    before = written(case)

    with pytest.raises(ValidationFailed, match="not in force"):
        case_deny(
            reason_code="MN01",
            case_id=case.pk, actor=physician, basis="medical_necessity", reason="No.", criteria_ids=[old.pk],
            password=PASSWORD,
        )  # fmt: skip

    assert written(case) == before


def test_physician_partially_approves_per_line(home_health, physician):
    version = CriteriaVersionFactory(effective_from=timezone.localdate() - timedelta(days=30))
    case = home_health
    first, second = case.lines.order_by("line_number")

    decision = case_partially_approve(
        reason_code="MN03",
        case_id=case.pk,
        actor=physician,
        reason="Three visits are supported by the functional assessment.",
        criteria_ids=[version.pk],
        lines=[{"id": str(first.pk), "approved_units": 3}, {"id": str(second.pk), "approved_units": 0}],
        password=PASSWORD,
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.PARTIALLY_APPROVED and decision.basis == "medical_necessity"
    assert list(case.lines.order_by("line_number").values_list("approved_units", "outcome")) == [
        (3, "partially_approved"),
        (0, "denied"),
    ]


def test_partial_approval_must_reduce_something_and_stay_within_units(home_health, physician):
    version = CriteriaVersionFactory(effective_from=timezone.localdate() - timedelta(days=30))
    case = home_health
    first = case.lines.order_by("line_number").first()
    before = written(case)

    for lines in ([], [{"id": str(first.pk), "approved_units": 7}], [{"id": "nope", "approved_units": 1}]):
        with pytest.raises(ValidationFailed):
            case_partially_approve(
                reason_code="MN03",
                case_id=case.pk,
                actor=physician,
                reason="r",
                criteria_ids=[version.pk],
                lines=lines,
                password=PASSWORD,
            )

    assert written(case) == before


def test_physician_approves_a_routed_case_without_signature(routed, physician):
    case = routed()

    decision = case_approve(case_id=case.pk, actor=physician, rationale="Meets criteria on second look.")

    assert decision.outcome == "approved" and decision.signed_at is None


def test_a_superseded_version_cannot_be_cited(routed, physician):
    old = knee_criteria()
    CriteriaVersionFactory(criteria_set=old.criteria_set, effective_from=timezone.localdate() - timedelta(days=1))
    case = routed()
    before = written(case)

    with pytest.raises(ValidationFailed, match="not in force"):
        case_deny(
            reason_code="MN01",
            case_id=case.pk, actor=physician, basis="medical_necessity", reason="No.", criteria_ids=[old.pk],
            password=PASSWORD,
        )  # fmt: skip

    assert written(case) == before
