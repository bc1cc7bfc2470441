"""Fax OCR pages per minute on this machine, and the project's overhead over raw Tesseract.

Builds a realistic synthetic fax (tests/fax_synthetic.py: request forms and notes rendered
with WeasyPrint, rasterized at 204x196 dpi black and white, as a PDF), then reads it:

1. the project's path, as the Celery task does: `cases.ocr.engine.fax_read` (pypdfium2
   renders each page, pytesseract runs Tesseract and parses its word boxes) and the field
   readers (`cases.ocr.extract`: requests split, fields read);
2. the raw engine on the same pages: the `tesseract` program on each page image already
   rendered to PNG, text to stdout, same page segmentation and one thread (as the project).

Prints pages per minute of each and the ratio (project time / raw time). No database.

    .venv/bin/python bench/fax_bench.py [--pages 12] [--rounds 2]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "um_portal.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from cases.ocr import engine  # noqa: E402
from cases.ocr.extract import request_read, requests_split  # noqa: E402
from tests import fax_synthetic as synth  # noqa: E402


def build(pages: int) -> bytes:
    """A fax of `pages` pages: two requests, each a form and its notes."""
    first = max(1, pages // 2)
    forms = [replace(synth.KNEE, notes_pages=first - 1), replace(synth.MRI, notes_pages=pages - first - 1)]
    return synth.fax_of([f for f in forms if f.notes_pages >= 0])


def project(content: bytes) -> tuple[float, int, int]:
    started = time.perf_counter()
    pages = engine.fax_read(content, "application/pdf")
    groups = requests_split([(p.page, p.text) for p in pages])
    reads = [request_read(group) for group in groups]
    seconds = time.perf_counter() - started
    return seconds, len(pages), sum(len(r.fields) for r in reads)


def raw(content: bytes, tesseract: str) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for number, image in enumerate(engine.page_images(content, "application/pdf"), start=1):
            path = Path(folder) / f"page-{number}.png"
            image.save(path)
            files.append(path)
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        started = time.perf_counter()
        for path in files:
            subprocess.run([tesseract, str(path), "-", "--psm", "3"], check=True, capture_output=True, env=env)
        return time.perf_counter() - started, len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    tesseract = shutil.which(os.environ.get("TESSERACT_CMD", "tesseract"))
    if tesseract is None:
        print(engine.OCR_OFF_MESSAGE + ": nothing to measure (apt-get install tesseract-ocr tesseract-ocr-eng).")
        return
    content = build(args.pages)
    load = os.getloadavg()[0]
    print(f"fax_bench: {engine.tesseract_version()}, {os.cpu_count()} cores, load average {load:.1f}")
    best_project = best_raw = None
    for _ in range(args.rounds):
        seconds, pages, fields = project(content)
        best_project = min(best_project or seconds, seconds)
        raw_seconds, raw_pages = raw(content, tesseract)
        best_raw = min(best_raw or raw_seconds, raw_seconds)
    assert pages == raw_pages == args.pages
    rate = pages * 60 / best_project
    print(f"  project (render + pytesseract + field readers): {rate:6.1f} pages/min ({fields} fields)")
    print(f"  raw tesseract on the same page images:          {pages * 60 / best_raw:6.1f} pages/min")
    print(f"  overhead: project / raw = {best_project / best_raw:.2f} (best of {args.rounds} rounds, {pages} pages)")


if __name__ == "__main__":
    main()
