"""Issue 22, item 8 in Chromium, the parts besides the letter-template preview
(tests/e2e/test_letter_template_preview.py): an administrator sees a turnaround rule in
effect as read-only and makes a new version from it, with lines of business ticked; sets
Saturday's hours for Sunday too in one save; an office appeals with a supporting document."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfWriter

from cases.models import TurnaroundRule
from notifications.models import ContactLine
from reviews.models import Appeal
from tests.cases.conftest import decided  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rule_in_effect_is_read_only_and_a_new_version_starts_from_it(page, live_server, login, screenshot, admin_user):
    rule = TurnaroundRule.objects.filter(code="ncqa", effective_from__lte=timezone.localdate()).first()
    login(admin_user.username)
    page.goto(f"{live_server.url}/admin/cases/turnaroundrule/{rule.pk}/change/")

    assert "never changed, only ended" in page.inner_text("#rule-in-effect")
    assert page.locator("input[name=effective_to]").count() == 1 and page.locator("input[name=name]").count() == 0
    screenshot("admin-turnaround-rule-in-effect")
    page.click("#new-version")
    page.wait_for_load_state()

    assert page.input_value("input[name=name]") == rule.name
    assert page.locator("input[type=checkbox][name=lines_of_business]").count() >= 4
    screenshot("admin-turnaround-rule-new-version")


def test_hours_for_several_days_in_one_save(page, live_server, login, admin_user):
    line = ContactLine.objects.get(key="weekend_holiday")
    login(admin_user.username)
    page.goto(f"{live_server.url}/notifications/lines/{line.pk}/hours/5/")
    page.fill("#id_opens_1", "10:00")
    page.fill("#id_closes_1", "14:00")
    page.check("#hours-form input[name=also_days][value='6']")
    page.click("#hours-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/notifications/lines/")

    for day in ("5", "6"):
        assert "10:00–14:00" in page.locator(f"#line-row-{line.pk} a.hours-edit[data-day='{day}']").inner_text()


def test_an_office_appeals_with_a_supporting_document(
    page,
    live_server,
    login,
    screenshot,
    provider,
    make_case,
    decided,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    case = make_case()
    decided(case)
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    document = tmp_path / "therapy-notes.pdf"
    document.write_bytes(out.getvalue())
    login("provider")
    page.goto(f"{live_server.url}/cases/{case.pk}/")

    page.fill("#appeal-form textarea", "Fourteen weeks of therapy at another clinic: notes attached.")
    page.set_input_files("#appeal-form input[type=file]", str(document))
    page.click("#appeal-form button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert Appeal.objects.filter(case=case).count() == 1
    assert list(case.attachments.values_list("original_name", flat=True)) == ["therapy-notes.pdf"]
    assert "therapy-notes.pdf" in page.content()
    screenshot("provider-appeal-with-document")
