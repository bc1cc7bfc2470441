"""An office in Chromium (issue 20, item 2): it starts a referral to an out-of-network
cardiologist, is told plainly what that means for the member and that two in-network
cardiologists are nearer, picks the nearest, and the request goes to that cardiologist."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import AuthorizationRequest
from tests.directory_factories import CARDIOLOGY, cardiologist_at
from tests.factories import AgreementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_switches_an_out_of_network_referral_to_a_nearer_in_network_cardiologist(
    page, live_server, login, screenshot, provider, member, surgeon
):
    # From the member's ZIP 21201: in network at 21202 (~1 mi) and 21218 (~2.5 mi), out of
    # network at 21204 (~8 mi), in network again at 21401 (~21 mi).
    harbor, _ = cardiologist_at("21202", last_name="Brandt", organization_name="Inner Harbor Cardiology")
    cardiologist_at("21218", last_name="Okonkwo", organization_name="Heart Center", status="plan_medical_center")
    outside, _ = cardiologist_at(
        "21204", last_name="Crane", organization_name="Severn Cardiology", status="out_of_network"
    )
    cardiologist_at("21401", last_name="Farr", organization_name="Bay Heart")
    # Each holds a provider agreement (the intake takes requests to it); the directory's
    # network periods alone say who is in network.
    AgreementFactory(organization=harbor.organization)
    AgreementFactory(organization=outside.organization)
    login("provider")

    page.goto(live_server.url + "/cases/new/")
    page.fill("#id_member_number", member.member_number)
    page.fill("#id_member_date_of_birth", "1961-04-02")
    page.fill("#id_requesting_provider_npi", surgeon.npi)
    page.select_option("#id_service_category", "specialty_referral")
    expect(page.locator("#referral-options")).to_be_visible()
    page.select_option("#id_referral_specialty", CARDIOLOGY)
    page.fill("#id_servicing_provider_npi", outside.npi)
    page.locator("#id_servicing_provider_npi").dispatch_event("change")

    status = page.locator("#servicing-network")
    expect(status).to_contain_text("is out of network for this member")
    expect(status).to_contain_text("may pay more")
    expect(status).to_contain_text("2 in-network options are nearer the member")
    options = page.locator("#referral-options-list li")
    expect(options).to_have_count(3)
    expect(options.nth(0)).to_contain_text("Brandt")
    expect(options.nth(0)).to_contain_text("accepting new patients")
    expect(options.nth(1)).to_contain_text("Plan medical center")
    expect(page.locator("#referral-options-context")).to_contain_text("nearest ZIP 21201, Commercial")
    screenshot("referral-options-out-of-network")

    page.click("#referral-option-choose-1")
    assert page.input_value("#id_servicing_provider_npi") == harbor.npi
    expect(status).to_contain_text("is in network (Contracted network)")
    screenshot("referral-options-in-network-chosen")

    page.fill("#id_diagnosis_codes", "I25.10")
    page.fill("#id_lines-0-code", "99204")
    page.fill("#id_lines-0-description", "New patient cardiology consultation")
    day = (timezone.localdate() + timedelta(days=14)).isoformat()
    page.fill("#id_lines-0-start_date", day)
    page.fill("#id_lines-0-end_date", day)
    page.click("#submit-button")
    page.wait_for_url(re.compile(r"/cases/[0-9a-f-]+/\?submitted=1"))

    case = AuthorizationRequest.objects.get()
    assert case.servicing_practitioner == harbor
    assert case.servicing_organization == harbor.organization
