"""The case detail's diagnoses, lines and events (with their actors) come with the case's
own statement when statements are prepared (reviews.selectors.RELATIONS_EMBEDDED, issue
#13): every field of every row as the ORM reads it, in the model's order, each row pointing
back to the case, with no query of their own."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import CaseEvent, Diagnosis, ServiceLine
from reviews.selectors import case_detail
from tests.plans import sent_text

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.usefixtures("compiled_afresh")]


def _fields(row) -> dict:
    return {f.attname: getattr(row, f.attname) for f in type(row)._meta.concrete_fields}


def test_diagnoses_and_lines_are_the_orms_rows_read_with_the_case(make_case, nurse):
    # Given a case with three diagnoses and three lines, one line cancelled, one approved in
    # part, the last one renumbered first
    start, later = timezone.localdate() + timedelta(days=10), timedelta(days=30)
    case = make_case(
        diagnosis_codes=["M17.11", "M25.561", "I50.9"],
        lines=[
            {"code_system": "CPT", "code": "27447", "units": 1, "start_date": start, "end_date": start},
            {"code_system": "HCPCS", "code": "G0151", "units": 2, "start_date": start, "end_date": start + later},
            {"code_system": "CPT", "code": "97110", "units": 12, "start_date": start, "end_date": start + later * 2},
        ],
    )
    lines = list(ServiceLine.objects.filter(case=case).order_by("line_number"))
    ServiceLine.objects.filter(pk=lines[1].pk).update(cancelled_at=timezone.now(), outcome="cancelled")
    ServiceLine.objects.filter(pk=lines[2].pk).update(approved_units=8, line_number=0)  # moves to the heap's end

    # When the detail reads the case
    with CaptureQueriesContext(connection) as captured:
        read = case_detail(user=nurse, case_id=case.pk)
        diagnoses, read_lines = list(read.diagnoses.all()), list(read.lines.all())
        back = [line.case for line in read_lines]

    # Then its rows are the ORM's, field for field and type for type, in the model's order
    assert [_fields(d) for d in diagnoses] == [_fields(d) for d in Diagnosis.objects.filter(case=case)]
    expected = [_fields(line) for line in ServiceLine.objects.filter(case=case)]
    assert [_fields(line) for line in read_lines] == expected
    assert [type(v) for v in _fields(read_lines[1]).values()] == [type(v) for v in expected[1].values()]
    assert [line.line_number for line in read_lines] == [0, 1, 2]
    assert all(b is read for b in back)
    # read with the case: no statement of their own
    sent = [sent_text(q["sql"]) for q in captured.captured_queries]
    assert not [sql for sql in sent if sql.startswith(('SELECT "cases_serviceline"', 'SELECT "cases_diagnosis"'))]
    (case_read,) = [sql for sql in sent if "cases_serviceline" in sql]
    # each relation aggregated in its model's order, whatever order its rows are scanned in
    assert 'ORDER BY r."line_number")' in case_read and 'ORDER BY r."sequence")' in case_read


def test_a_case_without_diagnoses_reads_none(make_case, nurse):
    case = make_case()
    Diagnosis.objects.filter(case=case).delete()

    read = case_detail(user=nurse, case_id=case.pk)

    assert list(read.diagnoses.all()) == [] and len(read.lines.all()) == 1


def test_events_and_their_actors_are_the_orms_rows_read_with_the_case(make_case, nurse, physician):
    # Given a case with events by two people and by the portal itself (no actor), one with
    # data of every JSON kind (a float stays a float, as the ORM reads it), two at the same
    # instant (the id decides), and one written before them but dated after (the time decides)
    case = make_case()
    now, note = timezone.now(), CaseEvent.Kind.NOTE_ADDED
    data = {"ratio": 0.5, "count": 3, "flags": [True, None], "nested": {"text": "é"}}
    with time_machine.travel(now + timedelta(hours=2), tick=False):
        CaseEvent.objects.create(case=case, actor=nurse, kind=note, message="first", data=data)
    with time_machine.travel(now + timedelta(hours=1), tick=False):
        CaseEvent.objects.create(case=case, actor=None, kind=note, message="by the portal", data=[1, 2])
        CaseEvent.objects.create(case=case, actor=physician, kind=note, message="same instant")

    # When the detail reads the case
    with CaptureQueriesContext(connection) as captured:
        read = case_detail(user=nurse, case_id=case.pk)
        events = list(read.events.all())
        actors = [event.actor for event in events]
        back = [event.case for event in events]

    # Then its events are the ORM's, field for field, in the model's order, with their actors
    expected = list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id"))
    assert [_fields(e) for e in events] == [_fields(e) for e in expected]
    assert [e.message for e in events][-3:] == ["by the portal", "same instant", "first"]
    assert events[-1].data == data and type(events[-1].data["ratio"]) is float
    assert [None if a is None else _fields(a) for a in actors] == [
        None if e.actor is None else _fields(e.actor) for e in expected
    ]
    assert actors[-3] is None and actors[-1] == nurse and actors[-2] == physician
    assert all(b is read for b in back)
    sent = [sent_text(q["sql"]) for q in captured.captured_queries]
    assert not [sql for sql in sent if 'FROM "cases_caseevent"' in sql and not sql.startswith('SELECT "cases_auth')]
    assert not [sql for sql in sent if sql.startswith('SELECT "um_portal_user"')]
