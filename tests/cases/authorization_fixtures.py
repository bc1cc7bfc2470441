"""An authorization an office holds, for the tests of its changes and of its contract:
the clock frozen the Wednesday before Thanksgiving, mid-morning, and a home health case
(6 visits of G0151 from START for 30 days) approved by the nurse. Import `frozen_fixture`
(autouse: the clock is frozen in the importing module) and `authorized_fixture`, then ask
for `authorized`."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reviews.models import Authorization
from reviews.services.decisions import case_approve
from tests.factories import CoverageFactory, MemberFactory

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=NY)
START = date(2026, 12, 1)


@pytest.fixture(name="frozen", autouse=True)
def frozen_fixture():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(name="authorized")
def authorized_fixture(make_case, nurse):
    member = MemberFactory(state="MD")
    CoverageFactory(member=member, state="MD")
    case = make_case(
        member=member,
        service_category="home_health",
        lines=[{"code_system": "HCPCS", "code": "G0151", "units": 6, "start_date": START,
                "end_date": START + timedelta(days=29)}],
    )  # fmt: skip
    case_approve(case_id=case.pk, actor=nurse)
    return Authorization.objects.get(case=case)
