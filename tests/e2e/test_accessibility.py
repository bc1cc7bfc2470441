"""An axe-core scan of the main pages of each role (issue 22, "Proof"): no serious or
critical violation. axe-core comes vendored in axe-playwright-python (requirements-dev)."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from reviews.services.pends import case_pend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def _scan(page, base, paths) -> dict:
    found = {}
    for path in paths:
        page.goto(f"{base}{path}")
        violations = _violations(page)
        if violations:
            found[path] = violations
    return found


def test_provider_pages(page, live_server, login, make_case, member, nurse, provider):
    case = make_case(member=member)
    case_pend(
        reason_code="PD01", case_id=case.pk, actor=nurse, requested_information="Knee X-rays.",
        respond_by=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip
    login("provider")

    found = _scan(page, live_server.url, ["/", "/cases/", "/cases/new/", "/cases/eligibility/", f"/cases/{case.pk}/",
                                          "/notifications/"])  # fmt: skip

    assert found == {}


def test_reviewer_pages(page, live_server, login, make_case, nurse):
    case = make_case()
    login("nurse")

    found = _scan(page, live_server.url, ["/", "/reviews/queue/", f"/reviews/cases/{case.pk}/", "/notifications/"])

    assert found == {}


def test_physician_pages(page, live_server, login, make_case, nurse, physician):
    from reviews.services.pends import case_route_to_physician

    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="Only 4 weeks of PT.")
    login("physician")

    found = _scan(page, live_server.url, ["/reviews/physician/", f"/reviews/cases/{case.pk}/", "/reviews/appeals/",
                                          "/reviews/peer-to-peer/"])  # fmt: skip

    assert found == {}
