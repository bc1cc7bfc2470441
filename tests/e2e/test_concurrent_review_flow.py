"""A nurse works the concurrent review queue in Chromium (issue 19, item 2): two members in
the hospital are due today; she approves two more days for one (with the next review
date) and routes the other to a physician; the first leaves the queue, the second stays
with its request in physician review."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import CaseStatus, InpatientStay, StayReview
from reviews.services.decisions import case_approve
from tests.factories import CoverageFactory, MemberFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NY = ZoneInfo("America/New_York")
# A Wednesday morning (the clock ticks from here, in the server thread too).
WEDNESDAY = datetime(2026, 3, 4, 10, 0, tzinfo=NY)


def _admit(make_case, nurse, hospital, name: str) -> InpatientStay:
    first, last = name.split()
    member = MemberFactory(first_name=first, last_name=last)
    CoverageFactory(member=member)
    start = WEDNESDAY.date() - timedelta(days=1)
    case = make_case(
        member=member,
        service_category="inpatient_admission",
        servicing_organization=hospital,
        diagnosis_codes=["J18.9"],
        lines=[{"code_system": "CPT", "code": "99223", "units": 2, "start_date": start, "end_date": start}],
    )
    case_approve(case_id=case.pk, actor=nurse)
    return InpatientStay.objects.get(case=case)


def test_nurse_approves_more_days_and_routes_one_to_a_physician(page, live_server, login, screenshot, nurse, make_case):
    with time_machine.travel(WEDNESDAY, tick=True):
        hospital = OrganizationFactory(name="Harbor Test Hospital", kind="hospital")
        first = _admit(make_case, nurse, hospital, "Rosa Pneumonia")
        second = _admit(make_case, nurse, hospital, "Sam Slowprogress")
        assert first.next_review_on == second.next_review_on == WEDNESDAY.date()

        login("nurse")
        page.click("nav >> text=Concurrent review")
        page.wait_for_url(re.compile(r"/reviews/concurrent/$"))
        assert page.locator(f"#stay-row-{first.pk}").is_visible()
        row = page.locator(f"#stay-row-{second.pk}").inner_text()
        # Admitted yesterday: 1 day so far against pneumonia's expected 3.90 (MS-DRG 193).
        assert "1 day / expected 3.90" in row and "Sam Slowprogress" in row
        screenshot("concurrent-queue")

        # Approve two more days with Friday as the next review date.
        page.click(f"#work-stay-{first.pk}")
        page.wait_for_url(re.compile(rf"/reviews/stays/{first.pk}/$"))
        page.fill(f"#id_days_approve_{first.pk}", "2")
        page.fill(f"#id_next_review_on_approve_{first.pk}", "2026-03-06")
        page.click("#approve-days")
        page.wait_for_url(re.compile(r"/reviews/concurrent/$"))
        assert "4 days authorized through 2026-03-06" in page.content()
        assert page.locator(f"#stay-row-{first.pk}").count() == 0

        # Route the other to a physician with the days asked and why.
        page.click(f"#work-stay-{second.pk}")
        page.fill(f"#id_days_route_{second.pk}", "3")
        page.fill(f"#id_note_route_{second.pk}", "Still on IV antibiotics; criteria for more days unclear.")
        page.click("#route-stay")
        page.wait_for_url(re.compile(r"/reviews/concurrent/$"))
        assert "Physician review" in page.locator(f"#stay-row-{second.pk}").inner_text()
        screenshot("concurrent-queue-after")

    first.refresh_from_db()
    assert (first.authorized_days, str(first.authorized_through), str(first.next_review_on)) == (
        4,
        "2026-03-06",
        "2026-03-06",
    )
    review = StayReview.objects.get(stay=second)
    assert review.case.status == CaseStatus.PHYSICIAN_REVIEW and review.days_requested == 3
    assert review.case.review_type == "concurrent"
