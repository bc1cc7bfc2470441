"""A UM supervisor in Chromium (issue 22, item 5): the work queue shows each reviewer's
open load; tick two cases, reassign them to one nurse in one action, see the load move;
a case changed meanwhile refuses the whole action and says which."""

import re

import pytest

from cases.models import AuthorizationRequest
from reviews.services.assignment import case_assign
from um_portal.roles import user_set_supervisor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _load(page, username: str) -> list[str]:
    return [cell.strip() for cell in page.locator(f"#load-{username} td").all_inner_texts()]


def test_supervisor_sees_load_and_reassigns_in_bulk(page, login, screenshot, make_case, nurse, nurse2, physician):
    user_set_supervisor(user=nurse)
    first, second, third, held = make_case(), make_case(), make_case(), make_case()
    case_assign(case_id=held.pk, actor=nurse2)

    login("nurse")
    page.click("nav >> text=Work queue")
    assert _load(page, "nurse2")[1:] == ["1", "0", "0"]
    page.check(f"#pick-{first.pk}")
    page.check(f"#pick-{second.pk}")
    page.select_option("#bulk-reassign-to", "nurse2")
    screenshot("supervisor-queue-ticked")
    page.click("#bulk-reassign button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert "2 cases now with" in page.content()
    assert _load(page, "nurse2")[1:] == ["3", "0", "0"]
    assert set(AuthorizationRequest.objects.filter(assigned_to=nurse2).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
        held.pk,
    }
    screenshot("supervisor-queue-reassigned")

    # Someone claims the third case after the page loaded: nothing is reassigned, and the
    # queue says which case changed.
    page.check(f"#pick-{third.pk}")
    page.check(f"#pick-{first.pk}")
    page.select_option("#bulk-reassign-to", "physician")
    case_assign(case_id=third.pk, actor=physician)
    page.click("#bulk-reassign button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert re.search(rf"{third.reference} changed since you loaded the queue", page.content())
    assert AuthorizationRequest.objects.get(pk=first.pk).assigned_to == nurse2
    screenshot("supervisor-queue-conflict")


def test_a_nurse_who_is_not_a_supervisor_sees_no_bulk_reassign(page, login, make_case, nurse, nurse2):
    make_case()
    login("nurse2")
    page.click("nav >> text=Work queue")
    assert page.locator("#queue").is_visible()
    assert page.locator("#bulk-reassign").count() == 0 and page.locator("#reviewer-load").count() == 0
