"""The provider's Requests page starts with what needs the office (issue 22, item 2):
pends with their respond-by date, talks the plan offered, authorizations about to end, and
what was decided this week; the list searches by member name too."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from reviews.services.decisions import case_approve
from reviews.services.peer_to_peer import peer_to_peer_offer
from reviews.services.pends import case_pend
from tests.factories import CoverageFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _worklist(html: str) -> str:
    start = html.index('id="needs-response"')
    return html[start : html.index("</section>", start)]


def test_worklist_lists_pends_offers_expiring_authorizations_and_this_weeks_decisions(
    client, make_case, nurse, physician, provider, imaging
):
    today = timezone.localdate()
    pended = make_case()
    case_pend(
        reason_code="PD01",
        case_id=pended.pk,
        actor=nurse,
        requested_information="X-rays.",
        respond_by=today + timedelta(days=4),
    )
    offered = make_case()
    peer_to_peer_offer(case_id=offered.pk, actor=physician, phone="410-555-0101")
    ending = make_case(start_date=today - timedelta(days=20))
    ending.lines.update(end_date=today + timedelta(days=10))
    case_approve(case_id=ending.pk, actor=nurse)
    quiet = make_case()  # open, nothing asked of the office
    elsewhere = make_case(requesting_organization=imaging, servicing_organization=imaging, requesting_practitioner=None)
    case_pend(
        reason_code="PD01",
        case_id=elsewhere.pk,
        actor=nurse,
        requested_information="X",
        respond_by=today + timedelta(days=4),
    )
    client.force_login(provider)

    html = _worklist(client.get("/cases/").content.decode())

    assert pended.reference in html and (today + timedelta(days=4)).strftime("%-d %b %Y") in html
    assert offered.reference in html and "offers a peer-to-peer talk" in html
    assert ending.reference in html and "Authorization ends" in html
    assert quiet.reference not in html and elsewhere.reference not in html
    decided = html[html.index('id="decided-this-week"') :]
    assert ending.reference in decided and pended.reference not in decided


def test_last_weeks_decision_is_not_decided_this_week(client, make_case, nurse, provider):
    case = make_case()
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    with time_machine.travel(
        timezone.make_aware(timezone.datetime.combine(monday, timezone.datetime.min.time())) - timedelta(hours=1)
    ):
        case_approve(case_id=case.pk, actor=nurse)
    client.force_login(provider)

    html = _worklist(client.get("/cases/").content.decode())

    decided = html[html.index("Decided this week") :]
    assert case.reference not in decided and "No decisions since" in decided


def test_worklist_only_on_the_unfiltered_first_page(client, make_case, provider):
    make_case()
    client.force_login(provider)

    assert 'id="needs-response"' in client.get("/cases/").content.decode()
    assert 'id="needs-response"' not in client.get("/cases/", {"status": "open"}).content.decode()


def test_search_by_member_name(client, make_case, provider):
    marlowe = MemberFactory(first_name="Alice", last_name="Marlowe")
    # The other member named too: a random one was once "Alisha Clark", whom "ali" finds.
    okafor = MemberFactory(first_name="Bruno", last_name="Okafor")
    for member in (marlowe, okafor):
        CoverageFactory(member=member)
    hers, other = make_case(member=marlowe), make_case(member=okafor)
    client.force_login(provider)

    for query in ("marlowe", "Alice Marl", "ali"):
        html = client.get("/cases/", {"q": query}).content.decode()
        table = html[html.index('id="case-list"') :]
        assert hers.reference in table and other.reference not in table, query
    # The member's number still works as before.
    assert hers.reference in client.get("/cases/", {"q": marlowe.member_number}).content.decode()


def test_a_pended_row_shows_the_offices_respond_by_date(client, make_case, nurse, provider):
    today = timezone.localdate()
    pended, other = make_case(), make_case()
    case_pend(
        reason_code="PD01",
        case_id=pended.pk,
        actor=nurse,
        requested_information="X",
        respond_by=today + timedelta(days=3),
    )
    client.force_login(provider)

    html = client.get("/cases/", {"status": "open"}).content.decode()

    table = html[html.index('id="case-list"') :]
    row = table[table.index(pended.reference) :]
    assert f"Your answer due by {(today + timedelta(days=3)):%a %-d %b %Y}" in row[: row.index("</tr>")]
    row = table[table.index(other.reference) :]
    assert "Your answer due by" not in row[: row.index("</tr>")]
