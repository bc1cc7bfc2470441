"""A physician logs a voicemail on a peer-to-peer request, and an independent physician
overturns a denial on appeal, signing with the password."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import Appeal, Decision, PeerToPeerRequest
from reviews.services.decisions import case_deny
from reviews.services.pends import case_route_to_physician
from tests.conftest import PASSWORD
from tests.reviews.helpers import knee_criteria

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_physician_logs_a_talk_and_another_overturns_on_appeal(
    page, live_server, login, screenshot, make_case, nurse, physician, physician2, provider
):
    version = knee_criteria()
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="Needs MD")
    case_deny(case_id=case.pk, actor=physician, basis="medical_necessity", reason="Only 4 weeks of PT.",
              reason_code="MN01", criteria_ids=[version.pk], password=PASSWORD)  # fmt: skip
    talk = PeerToPeerRequest.objects.create(
        case=case, requested_by=provider, requested_at=timezone.now(), preferred_times=["Tue 8-10"], phone="4105550101"
    )
    appeal = Appeal.objects.create(
        case=case, decision_appealed=Decision.objects.get(case=case), reason="14 weeks at another clinic.",
        filed_by=provider, filed_at=timezone.now(), due_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip

    login("physician")
    page.click("#role-links >> text=Peer-to-peer")
    page.select_option(f"#talk-{talk.pk} select[name=result]", "voicemail")
    page.fill(f"#talk-{talk.pk} input[name=note]", "Left my direct line")
    page.click(f"#talk-{talk.pk} form[action$='/attempt/'] button")
    assert "Left a voicemail" in page.inner_text(f"#talk-{talk.pk}")
    screenshot("reviews-physician-peer-to-peer")
    page.goto(f"{live_server.url}/reviews/appeals/")
    assert "You took part" in page.inner_text("#appeals")
    page.click("form[action*='logout'] button")

    login("physician2")
    page.click("#role-links >> text=Appeals")
    screenshot("reviews-physician-appeals")
    page.click(f"text={case.reference}")
    page.select_option("#form-appeal select[name=outcome]", "overturned")
    page.fill("#form-appeal textarea[name=reason]", "Records from the second clinic show 14 weeks of therapy.")
    page.fill("#form-appeal input[name=password]", PASSWORD)
    page.click("#form-appeal button[type=submit]")
    assert "Overturned" in page.inner_text("#appeal-outcome")
    case.refresh_from_db()
    appeal.refresh_from_db()
    assert case.status == "approved" and (appeal.status, appeal.decided_by) == ("decided", physician2)
