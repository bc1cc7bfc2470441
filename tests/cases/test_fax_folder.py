"""The watched fax folder (issue 18, item 1): files dropped in FAX_INBOX_DIR are filed through
the same service and checks as the other doors, moved to processed/ or rejected/ (with a
reason file), never lost, and a second or concurrent run files nothing twice."""

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import FaxEvent, FaxReceipt
from cases.services import fax_folder
from cases.services.fax_folder import fax_folder_ingest
from cases.tasks import fax_folder_ingest_task
from um_portal.celery import app

from .test_fax_inbox import _pdf, _png, _tiff

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _drop(folder: Path, name: str, content: bytes, *, age: float = 60) -> Path:
    path = folder / name
    path.write_bytes(content)
    then = time.time() - age  # written a minute ago (on the test's clock): settled
    os.utime(path, (then, then))
    return path


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


@pytest.fixture
def inbox(tmp_path, settings):
    settings.FAX_INBOX_DIR = str(tmp_path)
    return tmp_path


def test_good_faxes_are_filed_and_moved_to_processed(inbox):
    pdf = _drop(inbox, "fax-0001.pdf", _pdf(3))
    written = pdf.stat().st_mtime
    _drop(inbox, "fax-0002.tif", _tiff(2))

    result = fax_folder_ingest()

    assert (len(result.filed), result.rejected, result.left) == (2, [], [])
    assert _names(inbox) == [] and _names(inbox / "processing") == []
    assert _names(inbox / "processed") == ["fax-0001.pdf", "fax-0002.tif"]
    assert (inbox / "processed" / "fax-0001.pdf").read_bytes() == _pdf(3)
    rows = list(FaxReceipt.objects.order_by("original_name"))
    assert [(f.original_name, f.pages, f.status, f.source) for f in rows] == [
        ("fax-0001.pdf", 3, "new", "folder"),
        ("fax-0002.tif", 2, "new", "folder"),
    ]
    assert abs(rows[0].received_at.timestamp() - written) < 1  # the fax server's write time
    assert rows[0].received_by is None and rows[0].events.get().kind == "received"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("note.txt", b"not a fax at all\n" * 5, "This is not a fax: only PDF and TIFF files are accepted."),
        ("photo.png", _png(), "This is not a fax: only PDF and TIFF files are accepted (this file is image/png)."),
        ("locked.pdf", _pdf(1, password="x"), "The PDF is password-protected"),
        ("empty.pdf", _pdf(0), "The file has no pages."),
        ("batch.pdf", _pdf(300), "The fax has 300 pages; at most 100 are accepted in one file."),
        ("broken.tif", _tiff(2)[:200], "The TIFF is damaged and cannot be read."),
    ],
    ids=["text", "png", "encrypted", "zero-pages", "300-pages", "corrupt-tiff"],
)
def test_a_bad_file_is_kept_in_rejected_with_its_reason_and_a_rejected_row(inbox, name, content, message):
    _drop(inbox, name, content)

    result = fax_folder_ingest()

    assert result.rejected == [name] and result.left == []
    assert (inbox / "rejected" / name).read_bytes() == content  # never lost
    reason = (inbox / "rejected" / f"{name}.reason.txt").read_text()
    fax = FaxReceipt.objects.get()
    assert reason.startswith(message) and str(fax.pk) in reason
    assert fax.status == "rejected" and fax.rejection_message.startswith(message)
    assert fax.file.read() == content
    assert FaxEvent.objects.get().kind == "rejected"


def test_running_twice_files_each_fax_once(inbox):
    _drop(inbox, "a.pdf", _pdf(1))
    fax_folder_ingest()
    again = fax_folder_ingest()
    assert again.as_dict()["filed"] == 0 and FaxReceipt.objects.count() == 1
    assert _names(inbox / "processed") == ["a.pdf"]


def test_a_file_filed_by_a_run_that_died_before_moving_it_is_only_moved(inbox, monkeypatch):
    _drop(inbox, "a.pdf", _pdf(2))
    real_rename = os.rename

    def crash_on_move(src, dst):
        if "processed" in str(dst):
            raise OSError("the worker died")
        return real_rename(src, dst)

    monkeypatch.setattr(fax_folder.os, "rename", crash_on_move)
    first = fax_folder_ingest()
    assert first.left == ["a.pdf"] and [n.split("~", 1)[1] for n in _names(inbox / "processing")] == ["a.pdf"]
    assert FaxReceipt.objects.count() == 1
    monkeypatch.setattr(fax_folder.os, "rename", real_rename)

    assert fax_folder_ingest(stale_seconds=3600).as_dict()["already"] == 0  # not stale yet: left alone
    second = fax_folder_ingest(stale_seconds=0)

    assert second.already == ["a.pdf"] and FaxReceipt.objects.count() == 1
    assert _names(inbox / "processed") == ["a.pdf"] and _names(inbox / "processing") == []
    assert FaxEvent.objects.count() == 1


def test_a_database_error_leaves_the_file_in_processing_for_the_next_run(inbox, monkeypatch):
    _drop(inbox, "a.pdf", _pdf(1))

    def down(**kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(fax_folder, "fax_receipt_receive", down)
    assert fax_folder_ingest().left == ["a.pdf"]
    assert [n.split("~", 1)[1] for n in _names(inbox / "processing")] == ["a.pdf"]
    assert FaxReceipt.objects.count() == 0
    monkeypatch.undo()
    assert fax_folder_ingest(stale_seconds=0).filed == ["a.pdf"]


def test_of_two_runs_claiming_one_file_only_one_gets_it(inbox):
    path = _drop(inbox, "a.pdf", _pdf(1))
    (inbox / "processing").mkdir()
    assert fax_folder._claim(path, inbox / "processing", now=time.time()) is not None
    assert fax_folder._claim(path, inbox / "processing", now=time.time()) is None  # the other finds nothing


def test_files_being_written_and_hidden_files_wait(inbox):
    _drop(inbox, "fresh.pdf", _pdf(1), age=0)
    _drop(inbox, "incoming.pdf.part", _pdf(1))
    _drop(inbox, ".hidden.pdf", _pdf(1))
    result = fax_folder_ingest()
    assert result.as_dict()["filed"] == 0 and FaxReceipt.objects.count() == 0
    assert _names(inbox) == [".hidden.pdf", "fresh.pdf", "incoming.pdf.part"]


def test_two_files_with_one_name_both_survive(inbox):
    _drop(inbox, "fax.pdf", _pdf(1))
    fax_folder_ingest()
    _drop(inbox, "fax.pdf", _pdf(2))
    fax_folder_ingest()
    processed = _names(inbox / "processed")
    assert len(processed) == 2 and "fax.pdf" in processed
    assert FaxReceipt.objects.count() == 2


def test_the_command_reports_and_refuses_without_a_folder(inbox, settings):
    _drop(inbox, "a.pdf", _pdf(1))
    _drop(inbox, "b.txt", b"hello there, not a fax\n" * 3)
    out = StringIO()
    call_command("fax_folder_ingest", stdout=out)
    assert out.getvalue().strip() == "Filed 1, rejected 1, already filed 0, left for the next run 0."
    settings.FAX_INBOX_DIR = ""
    with pytest.raises(CommandError, match="FAX_INBOX_DIR is not set"):
        call_command("fax_folder_ingest")


def test_the_beat_task_runs_the_folder_and_is_scheduled(inbox):
    _drop(inbox, "a.pdf", _pdf(1))
    assert fax_folder_ingest_task() == {
        "enabled": True,
        "message": "",
        "filed": 1,
        "rejected": 0,
        "already": 0,
        "left": 0,
    }
    entry = app.conf.beat_schedule["fax-folder-ingest"]
    assert entry["task"] == "cases.tasks.fax_folder_ingest_task" == fax_folder_ingest_task.name
