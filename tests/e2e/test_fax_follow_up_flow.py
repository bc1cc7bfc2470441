"""A nurse in Chromium (issue 18): a follow-up fax for a pended case is attached from the
fax's page; the case leaves the pend (back to review) and shows the fax as its document."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cases.models import CaseStatus, FaxReceipt
from reviews.models import Pend
from tests.cases.conftest import pended  # noqa: F401 - the pended-case fixture shared with tests/cases

from .test_fax_inbox_flow import _pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nurse_attaches_a_follow_up_fax_to_a_pended_case(
    page,
    live_server,
    login,
    screenshot,
    nurse,
    make_case,
    pended,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    case = make_case()
    with time_machine.travel(timezone.now() - timedelta(hours=3)):
        pended(case)
    assert case.status == CaseStatus.PENDED

    login("nurse")
    page.click("nav >> text=Fax inbox")
    fax_file = tmp_path / "clinic-notes.pdf"
    fax_file.write_bytes(_pdf(2))
    page.set_input_files("#id_file", str(fax_file))
    page.fill("#id_sender_fax", "410-555-0142")
    page.click("text=Add to the inbox")
    page.wait_for_url(re.compile(r"/cases/faxes/[0-9a-f-]+/$"))
    fax = FaxReceipt.objects.get()

    page.fill("#fax-attach-reference", case.reference)
    screenshot("fax-follow-up-attach")
    # Submitted from the field: a click can land while Chromium's PDF viewer in the frame takes focus.
    page.press("#fax-attach-reference", "Enter")
    page.wait_for_url(re.compile(rf"/reviews/cases/{case.pk}/$"))

    assert page.inner_text("#case-status") == CaseStatus.IN_REVIEW.label
    assert "clinic-notes.pdf" in page.content()
    screenshot("fax-follow-up-case")
    case.refresh_from_db()
    fax.refresh_from_db()
    pend = Pend.objects.get(case=case)
    assert case.status == CaseStatus.IN_REVIEW and pend.responded_at == fax.received_at
    assert fax.status == FaxReceipt.Status.ATTACHED
    assert case.attachments.get().file.name == fax.file.name

    page.click("nav >> text=Fax inbox")
    assert "No faxes waiting." in page.content()
