"""In Chromium: a UM administrator writes an auto-approval rule, simulates it (a real Celery
worker, the page's progress bar) and switches it on; the provider's next matching request
shows "Approved" on its confirmation page; the provider looks up a code."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from automation.models import AutoApprovalRuleVersion
from cases.models import AuthorizationRequest
from criteria.services.requirements import coverage_requirement_save

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_admin_writes_simulates_switches_on_and_the_next_request_is_approved(
    page, live_server, login, screenshot, celery_worker, admin_user, provider, member, surgeon, ortho
):
    coverage_requirement_save(
        policy="knee", version=1, service="Total knee replacement", codes=["27447"], effective_from=date(2020, 1, 1),
        documentation=["Weight-bearing X-ray report"],
    )  # fmt: skip
    login(admin_user.username)
    page.click("nav.mainnav >> text=Auto-approval")
    page.fill("#id_rule_name", "Knee replacement, one unit")
    page.fill("#id_conditions", '{"codes": ["27447"], "diagnoses": ["M17"], "max_units": 1}')
    page.fill("#id_effective_from", (timezone.localdate() - timedelta(days=1)).isoformat())
    page.click("#rule-save")
    expect(page.locator("#rule-status")).to_contain_text("Draft")
    screenshot("auto-rule-draft")

    page.fill("#id_period_start", (timezone.localdate() - timedelta(days=90)).isoformat())
    page.fill("#id_period_end", timezone.localdate().isoformat())
    page.click("#simulate-button")
    # The worker runs the simulation; the progress bar page reloads with the result.
    expect(page.locator(".simulation-result")).to_contain_text("would have approved 0 of 0", timeout=30000)
    screenshot("auto-rule-simulated")
    page.click("#switch-on-button")
    expect(page.locator("#rule-status")).to_contain_text("Live")
    assert AutoApprovalRuleVersion.objects.get().status == "live"

    # The provider's next matching request.
    page.click("form[action$='logout/'] button")
    login("provider")
    page.goto(f"{live_server.url}/cases/new/")
    page.fill("#id_member_number", member.member_number)
    page.fill("#id_member_date_of_birth", member.date_of_birth.isoformat())
    page.fill("#id_requesting_provider_npi", surgeon.npi)
    page.fill("#id_servicing_provider_npi", ortho.npi)
    page.select_option("#id_service_category", "outpatient_procedure")
    page.fill("#id_diagnosis_codes", "M17.11")
    page.fill("#id_lines-0-code", "27447")
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    page.fill("#id_lines-0-start_date", day)
    page.fill("#id_lines-0-end_date", day)
    page.click("#submit-button")
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/\?submitted=1"))
    expect(page.locator("#case-status")).to_contain_text("Approved")
    assert AuthorizationRequest.objects.get().status == "approved"
    screenshot("auto-approved-confirmation")

    # Looking up a code.
    page.click("nav.mainnav >> text=Prior auth lookup")
    page.fill("#id_code", "27447")
    page.click("#lookup-form button[type=submit]")
    expect(page.locator("#lookup-result")).to_contain_text("Required")
    expect(page.locator("#lookup-result")).to_contain_text("Weight-bearing X-ray report")
    page.fill("#id_code", "97110")
    page.click("#lookup-form button[type=submit]")
    expect(page.locator("#lookup-result")).to_contain_text("Not required")
    screenshot("provider-code-lookup")


def test_provider_ticks_the_criteria_checklist_and_the_rule_approves(
    page, live_server, login, screenshot, admin_user, provider, member, surgeon, ortho
):
    from tests.automation.conftest import live_rule
    from tests.factories import CriteriaVersionFactory

    items = ["Imaging shows advanced disease", "12 weeks of therapy failed"]
    criteria = CriteriaVersionFactory(effective_from=date(2020, 1, 1), indications=items)
    criteria.criteria_set.codes.create(code_system="CPT", code="27447")
    live_rule(admin_user, codes=["27447"], checklist={"criteria_set": criteria.criteria_set.name, "indications": items})

    login("provider")
    page.goto(f"{live_server.url}/cases/new/")
    page.fill("#id_member_number", member.member_number)
    page.fill("#id_member_date_of_birth", member.date_of_birth.isoformat())
    page.fill("#id_requesting_provider_npi", surgeon.npi)
    page.fill("#id_servicing_provider_npi", ortho.npi)
    page.select_option("#id_service_category", "outpatient_procedure")
    page.fill("#id_diagnosis_codes", "M17.11")
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    page.fill("#id_lines-0-start_date", day)
    page.fill("#id_lines-0-end_date", day)
    page.fill("#id_lines-0-code", "27447")
    page.locator("#id_lines-0-code").dispatch_event("change")
    boxes = page.locator("#criteria-checklist input[name=checklist]")
    expect(boxes).to_have_count(2)
    expect(page.locator("#criteria-checklist")).to_contain_text(criteria.criteria_set.name)
    boxes.nth(0).check()
    boxes.nth(1).check()
    screenshot("checklist-ticked")
    page.click("#submit-button")
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/\?submitted=1"))
    expect(page.locator("#case-status")).to_contain_text("Approved")
