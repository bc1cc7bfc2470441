"""An administrator filters the audit log by member number, opens the member's accounting
of disclosures, and exports CSV."""

import pytest

from um_portal.audit import access_log_record
from um_portal.models import AccessLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_reads_the_audit_log(
    admin_user, nurse, provider, member, make_case, page, live_server, login, screenshot
):
    case = make_case(member=member)
    access_log_record(user=nurse, obj=case, how=AccessLog.How.PAGE)
    access_log_record(user=provider, obj=case, how=AccessLog.How.API)
    access_log_record(user=nurse, obj=make_case(), how=AccessLog.How.PAGE)

    login("admin")
    page.click("nav >> text=Audit")  # the nav link, role-aware
    page.fill("#id_member_number", member.member_number)
    page.click("#audit-filter button.primary")
    page.wait_for_load_state("networkidle")
    assert "member_number" not in page.url, "no member number in the URL"
    rows = page.locator("#audit-rows tbody tr")
    assert rows.count() == 2
    assert case.reference in rows.first.inner_text()
    screenshot("audit-log-filtered")

    with page.expect_download() as download:
        page.click("text=Export CSV")
    assert download.value.suggested_filename.startswith("access-log-")

    page.click(f"#audit-rows >> text={member.member_number}")
    page.wait_for_load_state("networkidle")
    assert "Accounting of disclosures" in page.content()
    screenshot("audit-member-disclosures")
