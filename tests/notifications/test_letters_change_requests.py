"""Issue 19, item 3: a change request's decision has its own letters, which print what the
change approved (the added units, the new dates) under the change request's reference."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import CaseEvent
from notifications.services.letters import letters_generate_for_event
from reviews.models import Authorization
from reviews.services.authorization_changes import authorization_change_request
from reviews.services.decisions import case_approve

from .conftest import pdf_text, squash

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


@time_machine.travel(datetime(2026, 11, 25, 10, 0, tzinfo=NY), tick=False)
def test_an_approved_change_has_its_own_approval_letters(make_case, nurse, provider):
    start = date(2026, 12, 1)
    case = make_case(
        service_category="home_health",
        lines=[{"code_system": "HCPCS", "code": "G0151", "description": "Physical therapy visit at home",
                "units": 6, "start_date": start, "end_date": start + timedelta(days=29)}],
    )  # fmt: skip
    case_approve(case_id=case.pk, actor=nurse)
    authorization = Authorization.objects.get(case=case)
    change = authorization_change_request(
        case_id=case.pk, user=provider, kind="add_units", lines=[{"line": 1, "units": 4}], reason="Slow recovery."
    )
    case_approve(case_id=change.pk, actor=nurse)
    event = CaseEvent.objects.get(case=change, kind=CaseEvent.Kind.DECISION_RECORDED)

    letters = letters_generate_for_event(event_id=event.pk)

    assert letters and {x.status for x in letters} == {"issued"}, [x.missing for x in letters]
    assert all(x.case_id == change.pk for x in letters)
    with letters[0].pdf.open("rb") as f:
        text = squash(pdf_text(f.read()))
    assert squash(change.reference) in text and squash("Physical therapy visit at home") in text
    assert authorization.lines.get().approved_units == 10  # and the original authorization has them
