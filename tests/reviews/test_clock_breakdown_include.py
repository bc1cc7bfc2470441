"""The per-rule breakdown include that case pages show."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.template.loader import render_to_string

from tests.factories import CoverageFactory, MemberFactory

NY = ZoneInfo("America/New_York")


def test_breakdown_lists_each_rule_and_marks_the_earliest(make_case):
    member = MemberFactory(state="MD")
    CoverageFactory(member=member, state="MD")
    case = make_case(member=member, received_at=datetime(2026, 12, 4, 16, 0, tzinfo=NY), start_date=date(2026, 12, 20))

    html = render_to_string("reviews/_clock_breakdown.html", {"case": case})

    assert "Maryland Insurance" in html and "NCQA UM 5" in html
    assert html.index("Maryland Insurance") < html.index("NCQA UM 5")
    assert "earliest: sets the deadline" in html
    assert "2 business days" in html and "15 calendar days" in html
    assert "Tue 8 Dec 2026, 11:59 PM ET" in html  # Maryland's due time, local
    assert "Sat 19 Dec 2026, 11:59 PM ET" in html  # NCQA's
    assert 'id="information-notice-due"' in html and "Mon 7 Dec 2026, 11:59 PM ET" in html
