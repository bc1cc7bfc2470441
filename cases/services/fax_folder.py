"""The watched fax folder (issue 18, item 1): files a fax server drops into FAX_INBOX_DIR go
through the same service and content checks as the other doors (`fax_receipt_receive`),
then move to `processed/` or `rejected/` (with `<name>.reason.txt`) beside them.

Never lose a file, and be safe to run twice or at once:
- A run claims a file by renaming it into `processing/` as `<claim time>~<name>` (a rename
  within one file system is atomic: of two runs, one wins and the other finds nothing).
- The fax row carries a source key (name, modification time, content hash): a file filed
  but not yet moved (the run died in between) is found again after STALE and only moved.
- A file moves out of `processing/` only after its row is committed; any error leaves it
  there for the next run. Nothing is ever deleted.
"""

import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.utils import timezone

from um_portal.exceptions import Conflict

from ..models import FaxReceipt
from .attachments import _sha256
from .fax import fax_receipt_receive

log = logging.getLogger(__name__)

PROCESSING, PROCESSED, REJECTED = "processing", "processed", "rejected"
CLAIM_SEP = "~"
# A fax server writes a file over a few seconds; one younger than this may be half written.
SETTLE_SECONDS = 10
# A file left in processing/ this long belongs to a run that died (a run files one fax in
# well under a second; OCR runs later, in its own task).
STALE_SECONDS = 600
# Files per run: the beat runs again a minute later.
BATCH = 200
# What a fax server writes while receiving, or system files: never claimed.
_SKIP_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload", ".reason.txt")


@dataclass
class FolderResult:
    enabled: bool = True
    message: str = ""
    filed: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    left: list[str] = field(default_factory=list)  # errors: stays in processing/ for the next run

    def as_dict(self) -> dict:
        return {
            "enabled": self.enabled,
            "message": self.message,
            "filed": len(self.filed),
            "rejected": len(self.rejected),
            "already": len(self.already),
            "left": len(self.left),
        }


def _free_name(directory: Path, name: str) -> Path:
    """`name` in `directory`, or `name` with a short suffix when taken (never overwrite)."""
    target = directory / name
    while target.exists():
        stem, dot, ext = name.rpartition(".")
        base = stem if dot else name
        suffix = f".{ext}" if dot else ""
        target = directory / f"{base}-{uuid.uuid4().hex[:8]}{suffix}"
    return target


def _candidates(root: Path, *, now: float, settle_seconds: float) -> list[Path]:
    found = []
    for entry in os.scandir(root):
        if not entry.is_file(follow_symlinks=False) or entry.name.startswith("."):
            continue
        if entry.name.lower().endswith(_SKIP_SUFFIXES):
            continue
        if now - entry.stat().st_mtime < settle_seconds:
            continue
        found.append(Path(entry.path))
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def _claimed_at(path: Path) -> float | None:
    stamp, sep, _name = path.name.partition(CLAIM_SEP)
    return float(stamp) if sep and stamp.isdigit() else None


def _dropped_name(path: Path) -> str:
    """The name the file had in the folder (a claimed file carries its claim time first)."""
    stamp, sep, name = path.name.partition(CLAIM_SEP)
    return name if sep and stamp.isdigit() else path.name


def _stale(processing: Path, *, now: float, stale_seconds: float) -> list[Path]:
    found = []
    for entry in os.scandir(processing):
        if entry.is_file():
            claimed = _claimed_at(Path(entry.path))
            if claimed is None or now - claimed >= stale_seconds:
                found.append(Path(entry.path))
    return sorted(found, key=lambda p: p.name)


def _claim(path: Path, processing: Path, *, now: float) -> Path | None:
    # The claim time goes in the name (file times come from the fax server's clock, ours may differ).
    target = _free_name(processing, f"{int(now)}{CLAIM_SEP}{path.name}")
    try:
        os.rename(path, target)  # atomic: one run wins
    except FileNotFoundError:
        return None
    return target


def _file_one(path: Path, root: Path, result: FolderResult) -> None:
    stat = path.stat()
    name = _dropped_name(path)
    with path.open("rb") as handle:
        upload = File(handle, name=name)
        digest = _sha256(upload)
        key = f"folder:{name[:150]}:{stat.st_mtime_ns}:{stat.st_size}:{digest}"
        # The fax server's write time is the receipt time (never one ahead of ours).
        written = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        fax = fax_receipt_receive(
            user=None,
            upload=upload,
            source=FaxReceipt.Source.FOLDER,
            received_at=min(written, timezone.now()),
            source_key=key,
        )
    if fax.status == FaxReceipt.Status.REJECTED:
        target = _free_name(root / REJECTED, name)
        reason = f"{fax.rejection_message}\nFax inbox row: {fax.pk}\n"
        (target.parent / f"{target.name}.reason.txt").write_text(reason, encoding="utf-8")
        os.rename(path, target)
        result.rejected.append(target.name)
    else:
        target = _free_name(root / PROCESSED, name)
        os.rename(path, target)
        (result.already if (fax.retried or fax.resent) else result.filed).append(target.name)


def fax_folder_ingest(
    *,
    directory: str | Path | None = None,
    settle_seconds: float = SETTLE_SECONDS,
    stale_seconds: float = STALE_SECONDS,
    batch: int = BATCH,
) -> FolderResult:
    """One pass over the watched folder (FAX_INBOX_DIR unless given)."""
    root_setting = directory if directory is not None else settings.FAX_INBOX_DIR
    if not root_setting:
        return FolderResult(enabled=False, message="No watched fax folder: FAX_INBOX_DIR is not set.")
    root = Path(root_setting)
    if not root.is_dir():
        log.error("The watched fax folder %s does not exist.", root)
        return FolderResult(enabled=False, message=f"The watched fax folder {root} does not exist.")
    for sub in (PROCESSING, PROCESSED, REJECTED):
        (root / sub).mkdir(exist_ok=True)
    processing = root / PROCESSING
    result = FolderResult()
    now = time.time()
    work = _stale(processing, now=now, stale_seconds=stale_seconds)[:batch]
    for path in _candidates(root, now=now, settle_seconds=settle_seconds)[: max(batch - len(work), 0)]:
        claimed = _claim(path, processing, now=now)
        if claimed is not None:
            work.append(claimed)
    for path in work:
        try:
            _file_one(path, root, result)
        except Conflict:
            result.left.append(_dropped_name(path))  # another run filed it this moment; it moves it
        except Exception:
            log.exception("Fax file %s could not be filed; it stays in %s for the next run.", path.name, processing)
            result.left.append(_dropped_name(path))
    if work:
        log.info("Watched fax folder: %s", result.as_dict())
    return result
