"""Escalations on unkeyed faxes (issue 18, item 1): the case thresholds on the fax's own
clock, each once per fax, caught up after an outage, stopped by keying."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import FaxReceipt
from cases.services.fax import fax_receipt_receive, fax_status_set
from notifications.models import FaxAlert, Notification
from notifications.services.alerts import notification_case_url
from notifications.services.fax_deadline_sweep import fax_deadline_sweep_run
from notifications.tasks import fax_deadline_sweep
from tests.cases.test_fax_inbox import _pdf
from um_portal.celery import app

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

T0 = datetime.fromisoformat("2026-11-30T09:00:00-05:00")


@pytest.fixture
def fax(nurse):
    with time_machine.travel(T0, tick=False):
        upload = SimpleUploadedFile("fax.pdf", _pdf(2), content_type="application/pdf")
        return fax_receipt_receive(user=nurse, upload=upload, source=FaxReceipt.Source.UPLOAD, sender_fax="4105550101")


def _at(fax, fraction: float) -> datetime:
    return fax.received_at + (fax.due_at - fax.received_at) * fraction


def test_thresholds_fire_once_each_and_an_outage_is_caught_up(fax, nurse, nurse2, admin_user):
    assert fax_deadline_sweep_run(now=_at(fax, 0.4)).faxes == 0
    assert fax_deadline_sweep_run(now=_at(fax, 0.5)).alerts == {"50": 1}
    # The workers are down until long after the due time; the first sweep raises each once.
    late = fax.due_at + timedelta(days=2)
    assert fax_deadline_sweep_run(now=late).alerts == {"75": 1, "90": 1, "overdue": 1}
    assert fax_deadline_sweep_run(now=late + timedelta(hours=1)).faxes == 0

    assert sorted(FaxAlert.objects.values_list("threshold", flat=True)) == ["50", "75", "90", "overdue"]
    fax.refresh_from_db()
    assert fax.alert_next_at is None
    assert list(fax.events.filter(kind="alert").values_list("data__threshold", flat=True)) == [
        "50",
        "75",
        "90",
        "overdue",
    ]


def test_nurses_get_half_time_supervisors_ninety_both_overdue_without_phi(fax, nurse, nurse2, admin_user):
    fax_deadline_sweep_run(now=fax.due_at + timedelta(minutes=1))
    by_kind = {}
    for n in Notification.objects.select_related("user"):
        by_kind.setdefault(n.kind, set()).add(n.user.username)
    assert by_kind == {
        "deadline_50": {"nurse", "nurse2"},
        "deadline_75": {"nurse", "nurse2"},
        "deadline_90": {"admin"},
        "overdue": {"nurse", "nurse2", "admin"},
    }
    note = Notification.objects.filter(kind="overdue").first()
    assert note.fax_id == fax.pk and note.case_id is None
    assert note.message.startswith("Fax received Mon 30 Nov 2026, 9:00 AM ET from 4105550101 is not keyed")
    assert notification_case_url(note) == f"/cases/faxes/{fax.pk}/"
    assert FaxAlert.objects.get(threshold="overdue").notified == 3


def test_a_keyed_or_rejected_fax_raises_nothing(fax, nurse):
    fax_status_set(fax=fax, to_status=FaxReceipt.Status.KEYED, actor=nurse)
    with time_machine.travel(T0, tick=False):
        bad = fax_receipt_receive(
            user=nurse,
            upload=SimpleUploadedFile("x.pdf", _pdf(0), content_type="application/pdf"),
            source=FaxReceipt.Source.UPLOAD,
        )
    assert bad.status == "rejected"
    result = fax_deadline_sweep_run(now=fax.due_at + timedelta(days=1))
    assert (result.faxes, result.alerts) == (0, {})
    assert not FaxAlert.objects.exists() and not Notification.objects.exists()


def test_the_beat_task_sweeps_and_is_scheduled(fax, nurse):
    assert fax_deadline_sweep(now=_at(fax, 0.8).isoformat()) == {
        "ran": True,
        "faxes": 1,
        "alerts": {"50": 1, "75": 1},
        "more": False,
    }
    assert app.conf.beat_schedule["fax-deadline-sweep"]["task"] == fax_deadline_sweep.name


def test_a_backlog_is_swept_in_batches(nurse):
    with time_machine.travel(T0, tick=False):
        faxes = [
            fax_receipt_receive(
                user=nurse,
                upload=SimpleUploadedFile(f"{i}.pdf", _pdf(i + 1), content_type="application/pdf"),
                source=FaxReceipt.Source.UPLOAD,
            )
            for i in range(3)
        ]
    result = fax_deadline_sweep_run(now=faxes[0].due_at + timedelta(days=1), batch_size=2, max_batches=1)
    assert result.faxes == 2 and result.more
    assert fax_deadline_sweep_run(now=faxes[0].due_at + timedelta(days=1), batch_size=2).faxes == 1
    assert FaxAlert.objects.count() == 3 * 4


def test_with_a_um_supervisor_named_the_ninety_percent_alert_goes_to_them_not_the_administrators(
    fax, nurse, nurse2, admin_user
):
    from um_portal.roles import user_set_supervisor

    user_set_supervisor(user=nurse2)

    fax_deadline_sweep_run(now=fax.due_at + timedelta(minutes=1))

    ninety = set(Notification.objects.filter(kind="deadline_90").values_list("user__username", flat=True))
    overdue = set(Notification.objects.filter(kind="overdue").values_list("user__username", flat=True))
    assert (ninety, overdue) == ({"nurse2"}, {"nurse", "nurse2"})
