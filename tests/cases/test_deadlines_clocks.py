"""Table-driven deadline cases for the clock engine (RULES.md section 1).

Each row: the case's facts, the rule looked at ("due" = the case's decision due time, the
earliest rule) and the expected LOCAL due time in America/New_York, written literally.
Received times are local unless they end in "Z" (UTC). The rules are the shipped ones,
read from the database as the data migration seeded them; holidays are the plan's
(federal as observed plus closures).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases.deadlines.clocks import ClockFacts, case_holidays, clocks_compute, rules_in_effect
from cases.models import PlanClosure

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")


def at(text: str) -> datetime:
    if text.endswith("Z"):
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=ZoneInfo("UTC"))
    return datetime.fromisoformat(text).replace(tzinfo=NY)


def local(dt: datetime) -> str:
    return dt.astimezone(NY).strftime("%Y-%m-%d %H:%M:%S")


VA = {"lob": "commercial", "state": "VA"}
CA = {"lob": "commercial", "state": "CA"}
MD = {"lob": "commercial", "state": "MD"}
MA = {"lob": "medicare_advantage", "state": "MD"}
MCD = {"lob": "medicaid", "state": "VA"}
CHIP = {"lob": "chip", "state": "VA"}
EXP = {"urgency": "expedited"}
CONC = {"review": "concurrent"}
RETRO = {"review": "retrospective"}

# (id, received (local unless Z), facts, rule, expected local due | None = rule does not apply)
CASES = [
    # --- hours: exact elapsed hours, weekends and DST do not matter ---
    ("ncqa-expedited-72h", "2026-06-10 09:15", {**VA, **EXP}, "ncqa", "2026-06-13 09:15:00"),
    ("dst-spring-forward-72h", "2026-03-07 12:00", {**VA, **EXP}, "due", "2026-03-10 13:00:00"),
    ("dst-fall-back-72h", "2026-10-31 12:00", {**VA, **EXP}, "due", "2026-11-03 11:00:00"),
    ("ncqa-concurrent-commercial-24h-over-dst", "2026-03-07 22:30", {**VA, **CONC}, "ncqa", "2026-03-08 23:30:00"),
    ("ncqa-concurrent-ma-72h", "2026-04-01 08:00", {**MA, **CONC}, "ncqa", "2026-04-04 08:00:00"),
    ("cms-ma-concurrent-72h", "2026-04-01 08:00", {**MA, **CONC}, "cms_ma", "2026-04-04 08:00:00"),
    ("expedited-received-23-59", "2026-05-05 23:59", {**VA, **EXP}, "due", "2026-05-08 23:59:00"),
    ("cms-ma-expedited-over-weekend", "2026-11-28 10:00", {**MA, **EXP}, "cms_ma", "2026-12-01 10:00:00"),
    (
        "md-behavioral-emergency-2h-year-end",
        "2026-12-31 23:00",
        {**MD, **EXP, "inpatient_admission": True, "behavioral": True},
        "due",
        "2027-01-01 01:00:00",
    ),
    ("cms-medicaid-expedited-72h", "2026-02-02 16:45", {**MCD, **EXP}, "cms_medicaid", "2026-02-05 16:45:00"),
    # --- calendar days: 23:59:59 on day N, the day of receipt is day 0 ---
    ("ncqa-standard-15-calendar-days", "2026-11-02 10:00", VA, "ncqa", "2026-11-17 23:59:59"),
    ("received-at-00-00-is-day-0", "2026-11-02 00:00", VA, "ncqa", "2026-11-17 23:59:59"),
    ("received-at-23-59-is-day-0", "2026-11-01 23:59", VA, "ncqa", "2026-11-16 23:59:59"),
    ("received-late-evening-local-is-utc-next-day", "2026-11-03 03:30Z", VA, "ncqa", "2026-11-17 23:59:59"),
    ("cms-ma-standard-7-days-over-thanksgiving", "2026-11-24 09:00", MA, "cms_ma", "2026-12-01 23:59:59"),
    ("ncqa-for-ma-member", "2026-11-24 09:00", MA, "ncqa", "2026-12-09 23:59:59"),
    ("cms-medicaid-standard-over-year-end", "2026-12-28 13:00", MCD, "cms_medicaid", "2027-01-04 23:59:59"),
    ("cms-medicaid-chip-over-dst", "2026-03-05 14:00", CHIP, "cms_medicaid", "2026-03-12 23:59:59"),
    ("ncqa-post-service-30-days-over-dst", "2026-10-15 11:00", {**VA, **RETRO}, "ncqa", "2026-11-14 23:59:59"),
    ("cms-ma-post-service-year-end", "2026-12-15 08:00", {**MA, **RETRO}, "cms_ma", "2027-01-14 23:59:59"),
    ("calendar-days-ignore-weekend-and-new-year", "2026-12-26 11:00", VA, "ncqa", "2027-01-10 23:59:59"),
    ("ma-before-cms-0057-f-14-days", "2025-12-20 10:00", MA, "cms_ma", "2026-01-03 23:59:59"),
    ("md-post-service-30-calendar-days", "2026-01-30 10:00", {**MD, **RETRO}, "md_insurance", "2026-03-01 23:59:59"),
    ("ca-post-service-30-calendar-days", "2026-02-27 10:00", {**CA, **RETRO}, "ca_knox_keene", "2026-03-29 23:59:59"),
    # --- business days: weekends, federal holidays as observed, plan closures ---
    ("ca-5-business-days", "2026-06-08 10:00", CA, "ca_knox_keene", "2026-06-15 23:59:59"),
    ("ca-over-thanksgiving", "2026-11-23 10:00", CA, "ca_knox_keene", "2026-12-01 23:59:59"),
    ("ca-received-on-thanksgiving", "2026-11-26 09:00", CA, "ca_knox_keene", "2026-12-03 23:59:59"),
    ("ca-received-on-saturday", "2026-11-28 09:00", CA, "ca_knox_keene", "2026-12-04 23:59:59"),
    ("ca-over-christmas-2026", "2026-12-21 10:00", CA, "ca_knox_keene", "2026-12-29 23:59:59"),
    ("ca-christmas-observed-friday-2027", "2027-12-20 10:00", CA, "ca_knox_keene", "2027-12-28 23:59:59"),
    ("ca-new-year-2028-observed-dec-31", "2027-12-28 10:00", CA, "ca_knox_keene", "2028-01-05 23:59:59"),
    ("md-over-new-year-2027", "2026-12-30 10:00", MD, "md_insurance", "2027-01-04 23:59:59"),
    ("md-received-friday-afternoon", "2026-12-04 16:00", MD, "md_insurance", "2026-12-08 23:59:59"),
    (
        "md-concurrent-1-business-day-july-3-observed",
        "2026-07-02 15:00",
        {**MD, **CONC},
        "md_insurance",
        "2026-07-06 23:59:59",
    ),
    ("ca-business-days-over-dst-fall", "2026-10-30 10:00", CA, "ca_knox_keene", "2026-11-06 23:59:59"),
    ("ca-over-veterans-day", "2026-11-09 10:00", CA, "ca_knox_keene", "2026-11-17 23:59:59"),
    (
        "ca-over-plan-closure",
        "2026-06-08 10:00",
        {**CA, "closure": date(2026, 6, 12)},
        "ca_knox_keene",
        "2026-06-16 23:59:59",
    ),
    ("ca-received-sunday-00-00", "2026-06-07 00:00", CA, "ca_knox_keene", "2026-06-12 23:59:59"),
    # --- which rules apply, and the earliest wins ---
    ("earliest-ca-over-ncqa", "2026-06-08 10:00", CA, "due", "2026-06-15 23:59:59"),
    ("earliest-md-over-ncqa", "2026-12-04 16:00", MD, "due", "2026-12-08 23:59:59"),
    ("earliest-cms-ma-over-ncqa", "2026-11-24 09:00", MA, "due", "2026-12-01 23:59:59"),
    ("earliest-ncqa-72h-over-md-2-business-days", "2026-03-07 10:00", {**MD, **EXP}, "due", "2026-03-10 11:00:00"),
    ("md-expedited-2-business-days", "2026-03-07 10:00", {**MD, **EXP}, "md_insurance", "2026-03-10 23:59:59"),
    (
        "ma-member-in-ca-no-state-rule",
        "2026-06-08 10:00",
        {"lob": "medicare_advantage", "state": "CA"},
        "ca_knox_keene",
        None,
    ),
    (
        "medicaid-member-in-md-no-state-rule",
        "2026-06-08 10:00",
        {"lob": "medicaid", "state": "MD"},
        "md_insurance",
        None,
    ),
    ("commercial-no-federal-rule", "2026-06-08 10:00", VA, "cms_ma", None),
    # --- pends: CA and MD restart from the information, federal and NCQA keep running ---
    (
        "ca-restarts-over-juneteenth",
        "2026-06-08 10:00",
        {**CA, "info": "2026-06-17 14:00"},
        "ca_knox_keene",
        "2026-06-25 23:59:59",
    ),
    (
        "ca-restart-ncqa-still-earliest",
        "2026-06-08 10:00",
        {**CA, "info": "2026-06-17 14:00"},
        "due",
        "2026-06-23 23:59:59",
    ),
    (
        "ma-federal-keeps-running-in-pend",
        "2026-11-24 09:00",
        {**MA, "info": "2026-11-30 10:00"},
        "cms_ma",
        "2026-12-01 23:59:59",
    ),
    (
        "md-restarts-after-thanksgiving",
        "2026-11-23 09:00",
        {**MD, "info": "2026-11-27 10:00"},
        "md_insurance",
        "2026-12-01 23:59:59",
    ),
    ("md-without-pend", "2026-11-23 09:00", MD, "md_insurance", "2026-11-25 23:59:59"),
    (
        "md-behavioral-restart-2h-over-dst",
        "2026-03-08 00:30",
        {**MD, **EXP, "inpatient_admission": True, "behavioral": True, "info": "2026-03-08 01:30"},
        "due",
        "2026-03-08 04:30:00",
    ),
    # --- extensions: computed by the rule that allows them ---
    ("cms-ma-extension-14-days", "2026-11-24 09:00", {**MA, "ext": "member_request"}, "cms_ma", "2026-12-15 23:59:59"),
    ("ncqa-extension-15-days", "2026-11-24 09:00", {**MA, "ext": "member_request"}, "ncqa", "2026-12-24 23:59:59"),
    ("extended-ma-earliest", "2026-11-24 09:00", {**MA, "ext": "outside_information"}, "due", "2026-12-15 23:59:59"),
    (
        "cms-ma-expedited-extension",
        "2026-06-10 09:00",
        {**MA, **EXP, "ext": "member_request"},
        "cms_ma",
        "2026-06-27 23:59:59",
    ),
    (
        "ncqa-no-extension-when-urgent",
        "2026-06-10 09:00",
        {**MA, **EXP, "ext": "member_request"},
        "due",
        "2026-06-13 09:00:00",
    ),
    ("ca-no-extension", "2026-06-08 10:00", {**CA, "ext": "member_request"}, "ca_knox_keene", "2026-06-15 23:59:59"),
    (
        "medicaid-extension-over-year-end",
        "2026-12-28 13:00",
        {**MCD, "ext": "member_request"},
        "cms_medicaid",
        "2027-01-18 23:59:59",
    ),
]


def _facts(received: str, spec: dict) -> ClockFacts:
    return ClockFacts(
        received_at=at(received),
        urgency=spec.get("urgency", "standard"),
        review_type=spec.get("review", "prospective"),
        line_of_business=spec["lob"],
        state=spec["state"],
        behavioral_emergency_inpatient=spec.get("behavioral", False),
        information_received_at=at(spec["info"]) if "info" in spec else None,
        extension_ground=spec.get("ext", ""),
    )


def test_table_has_at_least_40_cases_with_unique_ids():
    ids = [row[0] for row in CASES]
    assert len(ids) >= 40
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(("name", "received", "spec", "rule", "expected"), CASES, ids=[c[0] for c in CASES])
def test_deadline(name, received, spec, rule, expected):
    if "closure" in spec:
        PlanClosure.objects.create(date=spec["closure"], name="Plan offsite")
    facts = _facts(received, spec)
    rules = rules_in_effect(facts.received_at.astimezone(NY).date())
    clocks = clocks_compute(facts, rules, tz=NY, holidays=case_holidays(facts.received_at))

    if rule == "due":
        assert local(clocks[0].due_at) == expected
        return
    by_rule = {c.rule: c for c in clocks}
    if expected is None:
        assert rule not in by_rule
        return
    clock = by_rule[rule]
    assert local(clock.due_at) == expected
    assert clock.started_by == (
        "information_received" if "info" in spec and rule in ("ca_knox_keene", "md_insurance") else "received"
    )
