from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import CaseEvent, CaseStatus
from reviews.models import Appeal, Decision
from reviews.services.appeals import appeal_decide
from reviews.services.assignment import case_note_add
from reviews.services.decisions import case_deny
from reviews.services.pends import case_route_to_physician
from tests.factories import LicenseFactory, UserFactory
from um_portal.exceptions import Conflict, NotAllowed, ValidationFailed
from um_portal.roles import Role, user_set_role

from .helpers import PASSWORD, knee_criteria, written

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria():
    return knee_criteria()


@pytest.fixture
def denied(make_case, nurse, physician, criteria):
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="Needs MD")
    case_deny(
        reason_code="MN01",
        case_id=case.pk, actor=physician, basis="medical_necessity", reason="Only 4 weeks of PT.",
        criteria_ids=[criteria.pk], password=PASSWORD,
    )  # fmt: skip
    return case


@pytest.fixture
def appeal(denied, provider):
    return Appeal.objects.create(
        case=denied,
        decision_appealed=Decision.objects.get(case=denied, is_current=True),
        reason="PT records from another clinic show 14 weeks.",
        filed_by=provider,
        filed_at=timezone.now(),
        due_at=timezone.now() + timedelta(days=30),
    )


@pytest.fixture
def physician3(db):
    user = UserFactory(username="physician3", credentials="DO")
    user_set_role(user=user, role=Role.PHYSICIAN)
    LicenseFactory(physician=user, state="MD")
    return user


def test_independent_physician_overturns_a_denial(appeal, physician2, criteria):
    decided = appeal_decide(
        appeal_id=appeal.pk, actor=physician2, outcome="overturned", reason="14 weeks of PT documented.",
        criteria_ids=[criteria.pk], password=PASSWORD,
    )  # fmt: skip

    case = appeal.case
    case.refresh_from_db()
    assert decided.status == "decided" and decided.decided_by == physician2
    assert case.status == CaseStatus.APPROVED
    current = Decision.objects.get(case=case, is_current=True)
    assert current.outcome == "approved" and current.decided_by == physician2
    assert Decision.objects.filter(case=case).count() == 2
    assert list(case.lines.values_list("approved_units", "outcome")) == [(1, "approved")]
    event = case.events.get(kind=CaseEvent.Kind.APPEAL_DECIDED)
    assert event.data == {"appeal_id": appeal.pk, "outcome": "overturned"}


def test_upheld_appeal_keeps_the_denial(appeal, physician2, criteria):
    appeal_decide(
        reason_code="AP01",
        appeal_id=appeal.pk, actor=physician2, outcome="upheld", reason="Still 4 weeks.",
        criteria_ids=[criteria.pk], password=PASSWORD,
    )  # fmt: skip

    appeal.case.refresh_from_db()
    assert appeal.case.status == CaseStatus.DENIED
    assert Decision.objects.filter(case=appeal.case).count() == 1


def test_physician_who_decided_cannot_decide_the_appeal(appeal, physician, criteria):
    before = written(appeal.case)

    with pytest.raises(NotAllowed, match="took part") as err:
        appeal_decide(
            appeal_id=appeal.pk, actor=physician, outcome="overturned", reason="r", criteria_ids=[criteria.pk],
            password=PASSWORD,
        )  # fmt: skip

    assert err.value.code == "not_independent"
    assert written(appeal.case) == before


def test_physician_who_left_a_note_before_the_appeal_cannot_decide_it(denied, provider, physician3, criteria):
    case_note_add(case_id=denied.pk, actor=physician3, text="Looked at the imaging.")
    appeal = Appeal.objects.create(
        case=denied, decision_appealed=Decision.objects.get(case=denied), reason="r", filed_by=provider,
        filed_at=timezone.now(), due_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip
    before = written(denied)

    with pytest.raises(NotAllowed):
        appeal_decide(
            reason_code="AP01",
            appeal_id=appeal.pk, actor=physician3, outcome="upheld", reason="r", criteria_ids=[criteria.pk],
            password=PASSWORD,
        )  # fmt: skip

    assert written(denied) == before


def test_nurse_cannot_decide_an_appeal(appeal, nurse2):
    before = written(appeal.case)

    with pytest.raises(NotAllowed):
        appeal_decide(appeal_id=appeal.pk, actor=nurse2, outcome="overturned", reason="r", password=PASSWORD)

    assert written(appeal.case) == before


def test_appeal_decider_needs_a_license_in_the_members_state(appeal, physician_ca, criteria):
    before = written(appeal.case)

    with pytest.raises(NotAllowed, match="license"):
        appeal_decide(
            reason_code="AP01",
            appeal_id=appeal.pk, actor=physician_ca, outcome="upheld", reason="r", criteria_ids=[criteria.pk],
            password=PASSWORD,
        )  # fmt: skip

    assert written(appeal.case) == before


def test_decided_appeal_cannot_be_decided_again(appeal, physician2, physician3, criteria):
    appeal_decide(
        reason_code="AP01",
        appeal_id=appeal.pk, actor=physician2, outcome="upheld", reason="r", criteria_ids=[criteria.pk],
        password=PASSWORD,
    )  # fmt: skip
    before = written(appeal.case)

    with pytest.raises(Conflict):
        appeal_decide(appeal_id=appeal.pk, actor=physician3, outcome="overturned", reason="r", password=PASSWORD)

    assert written(appeal.case) == before


def test_partial_overturn_sets_line_units(appeal, physician2, criteria):
    line = appeal.case.lines.get()
    line.units = 4
    line.save(update_fields=["units"])

    appeal_decide(
        reason_code="MN03",
        appeal_id=appeal.pk, actor=physician2, outcome="partially_overturned", reason="Two sessions supported.",
        criteria_ids=[criteria.pk], lines=[{"id": str(line.pk), "approved_units": 2}], password=PASSWORD,
    )  # fmt: skip

    appeal.case.refresh_from_db()
    assert appeal.case.status == CaseStatus.PARTIALLY_APPROVED
    assert list(appeal.case.lines.values_list("approved_units", "outcome")) == [(2, "partially_approved")]


def test_appeal_with_wrong_signature_writes_nothing(appeal, physician2, criteria):
    before = written(appeal.case)

    with pytest.raises(ValidationFailed):
        appeal_decide(
            appeal_id=appeal.pk, actor=physician2, outcome="overturned", reason="r", criteria_ids=[criteria.pk],
            password="nope",
        )  # fmt: skip

    assert written(appeal.case) == before
