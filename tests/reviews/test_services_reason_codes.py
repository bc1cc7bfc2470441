"""Coded reasons (issue 16, item 2): a versioned catalogue, a code required by decision kind
on every door, refused when it does not fit, comes from a retired version or is missing,
with nothing written; member texts at a 6th-grade reading level at most."""

from datetime import date, timedelta

import pytest
import textstat
from django.utils import timezone

from reviews.models import Appeal, Decision, Pend, ReasonCatalogue, ReasonCode
from reviews.services.appeals import appeal_decide
from reviews.services.decisions import case_deny, case_partially_approve
from reviews.services.pends import case_pend, case_route_to_physician
from um_portal.exceptions import ValidationFailed

from .helpers import PASSWORD, knee_criteria, written

pytestmark = pytest.mark.django_db

# "At most 6th-grade reading level" (issue 16): Flesch-Kincaid grade, textstat's formula.
MAX_GRADE = 6.0


def test_every_shipped_member_text_reads_at_6th_grade_or_below():
    codes = list(ReasonCode.objects.filter(catalogue__version="2026.1"))

    assert len(codes) >= 10
    for code in codes:
        assert textstat.flesch_kincaid_grade(code.member_text) <= MAX_GRADE, code.code


def test_the_readability_check_can_fail():
    legalese = (
        "Notwithstanding the aforementioned documentation, the requested intervention is considered "
        "investigational pursuant to applicable medical policy determinations."
    )
    assert textstat.flesch_kincaid_grade(legalese) > MAX_GRADE


def test_every_shipped_code_names_a_kind_and_an_x12_code():
    for code in ReasonCode.objects.all():
        assert code.x12_code and set(code.kinds) <= set(ReasonCode.Kind.values) and code.kinds


@pytest.fixture
def routed(make_case, nurse):
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="Criteria not clearly met.")
    return case


def test_medical_necessity_denial_records_its_code(routed, physician):
    version = knee_criteria()

    decision = case_deny(
        case_id=routed.pk, actor=physician, basis="medical_necessity", reason="Only 4 weeks of PT.",
        criteria_ids=[version.pk], password=PASSWORD, reason_code="mn01",
    )  # fmt: skip

    assert decision.coded_reason.code == "MN01" and decision.coded_reason.catalogue.version == "2026.1"


@pytest.mark.parametrize(
    "code, message",
    [
        ("", "Choose a reason code for this denial"),
        (None, "Choose a reason code for this denial"),
        ("ZZ99", "Unknown reason code ZZ99"),
        ("PD01", "is not for a denial"),
        ("BN01", "does not fit a decision on these grounds"),
    ],
)
def test_denial_without_a_fitting_code_is_refused_and_writes_nothing(routed, physician, code, message):
    version = knee_criteria()
    before = written(routed)

    with pytest.raises(ValidationFailed, match=message) as err:
        case_deny(
            case_id=routed.pk, actor=physician, basis="medical_necessity", reason="No.",
            criteria_ids=[version.pk], password=PASSWORD, reason_code=code,
        )  # fmt: skip

    assert "reason_code" in err.value.errors
    assert written(routed) == before


def test_code_of_a_retired_catalogue_version_is_refused_and_writes_nothing(routed, physician):
    version = knee_criteria()
    today = timezone.localdate()
    old = ReasonCatalogue.objects.create(version="2025.1", effective_from=date(2025, 1, 1), retired_on=today)
    ReasonCode.objects.create(
        catalogue=old, code="OLD1", x12_code="0Z", kinds=["denial"], label="Old", member_text="Old text."
    )
    before = written(routed)

    with pytest.raises(ValidationFailed, match="OLD1 is from catalogue version 2025.1, which is not in use"):
        case_deny(
            case_id=routed.pk, actor=physician, basis="medical_necessity", reason="No.",
            criteria_ids=[version.pk], password=PASSWORD, reason_code="OLD1",
        )  # fmt: skip

    assert written(routed) == before


def test_a_newer_catalogue_version_replaces_the_old_one_from_its_effective_date(routed, physician):
    version = knee_criteria()
    today = timezone.localdate()
    newer = ReasonCatalogue.objects.create(version="2099.1", effective_from=today)
    ReasonCatalogue.objects.filter(version="2026.1").update(retired_on=today)
    ReasonCode.objects.create(
        catalogue=newer, code="MN01", x12_code="0A", kinds=["denial"], basis="medical_necessity",
        label="Criteria not met", member_text="Your records do not show you need this care now.",
    )  # fmt: skip

    decision = case_deny(
        case_id=routed.pk, actor=physician, basis="medical_necessity", reason="No.",
        criteria_ids=[version.pk], password=PASSWORD, reason_code="MN01",
    )  # fmt: skip

    assert decision.coded_reason.catalogue == newer


def test_partial_approval_needs_a_partial_approval_code(make_case, nurse, physician):
    version = knee_criteria()
    start = timezone.localdate() + timedelta(days=5)
    case = make_case(
        lines=[{"code_system": "CPT", "code": "27447", "units": 4, "start_date": start, "end_date": start}]
    )
    case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
    line = case.lines.get()
    kwargs = dict(
        case_id=case.pk, actor=physician, reason="Two are supported.", criteria_ids=[version.pk],
        lines=[{"id": str(line.pk), "approved_units": 2}], password=PASSWORD,
    )  # fmt: skip
    before = written(case)

    with pytest.raises(ValidationFailed, match="BN01 .* is not for a partial approval"):
        case_partially_approve(**kwargs, reason_code="BN01")
    assert written(case) == before

    decision = case_partially_approve(**kwargs, reason_code="MN03")
    assert decision.coded_reason.code == "MN03"


def test_pend_needs_a_pend_code(make_case, nurse):
    case = make_case()
    kwargs = dict(
        case_id=case.pk, actor=nurse, requested_information="Knee X-rays.",
        respond_by=timezone.localdate() + timedelta(days=3),
    )  # fmt: skip

    with pytest.raises(ValidationFailed, match="Choose a reason code for this request for information"):
        case_pend(**kwargs)
    assert not Pend.objects.filter(case=case).exists()

    pend = case_pend(**kwargs, reason_code="PD02")
    assert pend.coded_reason.code == "PD02"


@pytest.fixture
def appeal(routed, physician, provider):
    version = knee_criteria()
    case_deny(
        case_id=routed.pk, actor=physician, basis="medical_necessity", reason="Only 4 weeks of PT.",
        criteria_ids=[version.pk], password=PASSWORD, reason_code="MN01",
    )  # fmt: skip
    return Appeal.objects.create(
        case=routed,
        decision_appealed=Decision.objects.get(case=routed, is_current=True),
        reason="More PT records.",
        filed_by=provider,
        filed_at=timezone.now(),
        due_at=timezone.now() + timedelta(days=30),
    )


def test_upheld_appeal_needs_a_code_an_overturn_does_not(appeal, physician2):
    version = knee_criteria()
    before = written(appeal.case)

    with pytest.raises(ValidationFailed, match="Choose a reason code for this appeal decision"):
        appeal_decide(
            appeal_id=appeal.pk, actor=physician2, outcome="upheld", reason="Still 4 weeks.",
            criteria_ids=[version.pk], password=PASSWORD,
        )  # fmt: skip
    assert written(appeal.case) == before

    decided = appeal_decide(
        appeal_id=appeal.pk, actor=physician2, outcome="overturned", reason="14 weeks documented.",
        password=PASSWORD,
    )  # fmt: skip
    assert decided.coded_reason is None


def test_upheld_appeal_records_its_code(appeal, physician2):
    version = knee_criteria()

    decided = appeal_decide(
        appeal_id=appeal.pk, actor=physician2, outcome="upheld", reason="Still 4 weeks.",
        criteria_ids=[version.pk], password=PASSWORD, reason_code="AP01",
    )  # fmt: skip

    assert decided.coded_reason.code == "AP01"


# The API door: the list of codes, a denial without a code refused, the code in the answer.


def test_api_lists_the_codes_in_use(api, nurse):
    response = api.as_user(nurse).get("/api/v1/reason-codes/")

    assert response.status_code == 200
    body = {row["code"]: row for row in response.json()}
    assert body["PD01"]["kinds"] == ["pend"] and body["MN01"]["catalogue_version"] == "2026.1"


def test_api_denial_without_a_code_is_400_and_writes_nothing(api, make_case, nurse):
    case = make_case()
    before = written(case)

    response = api.as_user(nurse).post(
        f"/api/v1/authorizations/{case.pk}/deny/", {"basis": "benefit", "reason": "Not covered."}, format="json"
    )
    wrong = api.as_user(nurse).post(
        f"/api/v1/authorizations/{case.pk}/deny/",
        {"basis": "benefit", "reason": "Not covered.", "reason_code": "PD01"},
        format="json",
    )

    assert response.status_code == 400 and "reason_code" in response.json()["errors"]
    assert wrong.status_code == 400 and "is not for a denial" in wrong.json()["errors"]["reason_code"][0]
    assert written(case) == before


def test_api_denial_answers_the_code(api, make_case, nurse):
    case = make_case()

    response = api.as_user(nurse).post(
        f"/api/v1/authorizations/{case.pk}/deny/",
        {"basis": "benefit", "reason": "Not covered.", "reason_code": "BN02"},
        format="json",
    )

    assert response.status_code == 200
    coded = response.json()["decision"]["reason_code"]
    assert coded["code"] == "BN02" and coded["member_text"].startswith("This care is still being tested")


def test_review_page_offers_a_nurse_only_the_codes_of_her_grounds(client, make_case, nurse):
    case = make_case()
    client.force_login(nurse)

    html = client.get(f"/reviews/cases/{case.pk}/").content.decode()

    assert 'value="BN01"' in html and 'value="PD01"' in html and 'value="MN01"' not in html


def test_admin_shows_the_catalogue_and_freezes_a_version_in_effect(client, admin_user):
    client.force_login(admin_user)
    shipped = ReasonCatalogue.objects.get(version="2026.1")
    future = ReasonCatalogue.objects.create(version="2099.1", effective_from=date(2099, 1, 1))

    listing = client.get("/admin/reviews/reasoncatalogue/")
    in_effect = client.get(f"/admin/reviews/reasoncatalogue/{shipped.pk}/change/").content.decode()
    upcoming = client.get(f"/admin/reviews/reasoncatalogue/{future.pk}/change/").content.decode()

    assert listing.status_code == 200 and "2026.1" in listing.content.decode()
    assert "MN01" in in_effect and 'name="codes-0-code"' not in in_effect
    assert 'name="codes-__prefix__-code"' in upcoming
