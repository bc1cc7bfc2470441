"""Changing an open request's lines (the service PAS updates call): lines added, changed and
cancelled in one event with the clocks recomputed; strangers and decided cases refused with
nothing written."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import CaseEvent, ServiceLine
from cases.services.lines import case_lines_change
from reviews.services.decisions import case_approve
from um_portal.exceptions import Conflict, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db


def _line(days: int, code: str = "27447", units: int = 1) -> dict:
    day = timezone.localdate() + timedelta(days=days)
    return {"code_system": "CPT", "code": code, "units": units, "start_date": day, "end_date": day}


def _written(case):
    return (
        list(ServiceLine.objects.filter(case=case).values_list("code", "units", "cancelled_at")),
        CaseEvent.objects.filter(case=case).count(),
    )


def test_provider_adds_changes_and_cancels_lines_in_one_event(make_case, provider):
    case = make_case(lines=[_line(14), _line(14, "29881")])

    done = case_lines_change(
        case_id=case.pk,
        user=provider,
        add=[_line(20, "27446")],
        change={1: _line(15, units=2)},
        cancel=[2],
        reason="EHR update.",
    )

    assert done == {"added": [3], "changed": [1], "cancelled": [2]}
    lines = list(case.lines.order_by("line_number"))
    assert [(line.code, line.units, line.cancelled_at is not None) for line in lines] == [
        ("27447", 2, False),
        ("29881", 1, True),
        ("27446", 1, False),
    ]
    event = CaseEvent.objects.get(case=case, kind="lines_changed")
    assert "added line 3" in event.message and "cancelled line 2" in event.message


def test_a_stranger_is_refused_and_nothing_written(make_case, provider2):
    case = make_case()
    before = _written(case)

    with pytest.raises(NotFound):
        case_lines_change(case_id=case.pk, user=provider2, add=[_line(20)], reason="Not mine.")

    assert _written(case) == before


def test_a_decided_case_is_a_conflict_and_nothing_written(make_case, provider, nurse):
    case = make_case()
    case_approve(case_id=case.pk, actor=nurse)
    before = _written(case)

    with pytest.raises(Conflict):
        case_lines_change(case_id=case.pk, user=provider, add=[_line(20)], reason="Too late.")

    assert _written(case) == before


def test_cancelling_every_line_is_refused(make_case, provider):
    case = make_case()

    with pytest.raises(ValidationFailed, match="withdraw"):
        case_lines_change(case_id=case.pk, user=provider, cancel=[1], reason="All of it.")
