"""Letters per second rendering to PDF on this machine.

Renders the shipped template of every letter kind (Django template -> letterhead layout ->
WeasyPrint PDF) in turn, with a realistic synthetic context, single process. No database:
this measures the rendering that dominates issuing a letter.

    .venv/bin/python bench/letters_bench.py [--letters 90]
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "um_portal.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from notifications.letters.content import content_missing  # noqa: E402
from notifications.letters.defaults import TITLES, default_body  # noqa: E402
from notifications.letters.render import html_to_pdf, letter_html  # noqa: E402
from notifications.letters.texts import (  # noqa: E402
    CA_CONTINUITY_CONDITIONS,
    CA_GRIEVANCE_IMR_TEXT,
    COC_PROVIDER_OBLIGATION_TEXT,
    EXPEDITED_APPEAL_TEXT,
    LANGUAGE_ASSISTANCE_TEXT,
    MA_EXPEDITED_GRIEVANCE_TEXT,
)
from notifications.models import LetterTemplate  # noqa: E402


def sample_context(kind: str) -> dict:
    service = {
        "description": "Total knee replacement, right", "code": "CPT 27447", "units": 1, "approved_units": "1",
        "approved_text": "1 of 1 unit",
        "outcome": "Approved", "start_date": "April 14, 2026", "end_date": "May 14, 2026",
        "dates": "April 14, 2026 to May 14, 2026", "is_approved": True,
    }  # fmt: skip
    return {
        "plan_name": "Mid-Atlantic Health Plan", "letter_date": "March 2, 2026", "reference": "UM-2026-000123",
        "kind": kind, "kind_label": kind, "to_member": True, "recipient_name": "Elena Vasquez",
        "recipient_address_lines": ["Elena Vasquez", "1 Test Way", "Sacramento, CA 95814"],
        "member_name": "Elena Vasquez", "member_number": "M100005", "member_date_of_birth": "November 3, 1975",
        "plan": "Mid-Atlantic California HMO", "requesting_provider": "Grace Okafor, MD, Chesapeake Orthopedic",
        "servicing_provider": "Harbor Ambulatory Surgery Center",
        "services": [service, {**service, "code": "CPT 20610"}],
        "received_on": "February 27, 2026", "is_expedited": False, "is_california": True,
        "is_medicare_advantage": True, "member_services_phone": "800-777-7902", "tty": "711",
        "language_assistance": LANGUAGE_ASSISTANCE_TEXT.format(tty="711"), "criteria_copy_phone": "800-810-4766",
        "um_physician_phone": "800-810-4766", "um_phone": "800-810-4766", "outcome": "Denied",
        "basis": "Medical necessity", "reason": "The notes show 4 weeks of physical therapy; the criteria ask for 12.",
        "decided_on": "March 2, 2026", "reviewer_name": "Miriam Stone", "reviewer_credentials": "MD",
        "criteria": [{"name": "Total knee arthroplasty", "source": "internal", "version": "2026.1"}],
        "appeal_days": "180", "appeal_deadline": "August 29, 2026", "expedited_appeal_text": EXPEDITED_APPEAL_TEXT,
        "ca_grievance_text": CA_GRIEVANCE_IMR_TEXT, "requested_information": "The last 3 months of therapy notes.",
        "respond_by": "March 9, 2026", "extension_reason": "We need the imaging report.",
        "extension_ground": "Outside information", "old_due": "March 6, 2026 at 11:59 p.m.",
        "new_due": "March 20, 2026 at 11:59 p.m.", "expedited_grievance_text": MA_EXPEDITED_GRIEVANCE_TEXT,
        "appeal_outcome": "Upheld", "appeal_upheld": True, "appeal_filed_on": "March 10, 2026",
        "ended_organization": "Harbor Ambulatory Surgery Center", "agreement_end_date": "March 31, 2026",
        "agreement_end_reason": "the plan's agreement with this provider ended", "covered_through": "April 30, 2026",
        "admitted_on": "March 28, 2026", "authorization_reference": "UM-2026-000123",
        "ca_continuity_conditions": CA_CONTINUITY_CONDITIONS, "provider_obligation_text": COC_PROVIDER_OBLIGATION_TEXT,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=90)
    args = parser.parse_args()
    templates = [LetterTemplate(pk=i, kind=k, version=1, title=t, body=default_body(k)) for i, (k, t) in
                 enumerate(TITLES.items(), 1)]  # fmt: skip
    # Warm-up: fonts, CSS parsing, template compilation.
    for template in templates:
        html_to_pdf(letter_html(template=template, context=sample_context(template.kind))[0])
    pages = total_bytes = 0
    start = time.perf_counter()
    for i in range(args.letters):
        template = templates[i % len(templates)]
        context = sample_context(template.kind)
        markup, text = letter_html(template=template, context=context)
        content_missing(template.kind, context, text)
        pdf, count = html_to_pdf(markup)
        pages += count
        total_bytes += len(pdf)
    elapsed = time.perf_counter() - start
    print(
        f"letters_bench: {args.letters} letters ({len(templates)} kinds) in {elapsed:.2f}s = "
        f"{args.letters / elapsed:.1f} letters/s, {pages / elapsed:.1f} pages/s, "
        f"{elapsed / args.letters * 1000:.0f} ms/letter, {total_bytes / args.letters / 1024:.0f} KiB/letter"
    )


if __name__ == "__main__":
    main()
