"""The turnaround rules the portal ships (RULES.md section 1): defaults an administrator
may version in the admin. The data migration that first wrote them
(reviews/migrations/0004_turnaround_rules_seed.py, from before the rules moved here) and
the post-migrate check that puts them back into an emptied table (cases.apps) both read
this one list.
"""

from datetime import date

H, CD, BD = "hours", "calendar_days", "business_days"
EXP, STD, CON, POST = "expedited_pre_service", "standard_pre_service", "concurrent", "post_service"
GROUNDS = ["member_request", "outside_information"]

RULES = [
    {
        "code": "cms_ma",
        "name": "CMS-0057-F / Medicare Advantage",
        "source": "42 CFR 422.568, 422.572; CMS-0057-F (from 2026-01-01)",
        "lines_of_business": ["medicare_advantage"],
        "effective_from": date(2026, 1, 1),
        "extension": (14, CD, GROUNDS, True),
        "periods": [(EXP, 72, H), (STD, 7, CD), (CON, 72, H), (POST, 30, CD)],
    },
    {
        # Before CMS-0057-F: 14 calendar days for standard pre-service requests.
        "code": "cms_ma",
        "name": "Medicare Advantage (before CMS-0057-F)",
        "source": "42 CFR 422.568, 422.572",
        "lines_of_business": ["medicare_advantage"],
        "effective_from": date(2019, 1, 1),
        "effective_to": date(2025, 12, 31),
        "extension": (14, CD, GROUNDS, True),
        "periods": [(EXP, 72, H), (STD, 14, CD), (CON, 72, H), (POST, 30, CD)],
    },
    {
        "code": "cms_medicaid",
        "name": "CMS-0057-F / Medicaid and CHIP",
        "source": "42 CFR 438.210; CMS-0057-F",
        "lines_of_business": ["medicaid", "chip"],
        "effective_from": date(2026, 1, 1),
        "extension": (14, CD, GROUNDS, True),
        "periods": [(EXP, 72, H), (STD, 7, CD), (CON, 72, H), (POST, 30, CD)],
    },
    {
        "code": "cms_medicaid",
        "name": "Medicaid and CHIP (before CMS-0057-F)",
        "source": "42 CFR 438.210",
        "lines_of_business": ["medicaid", "chip"],
        "effective_from": date(2019, 1, 1),
        "effective_to": date(2025, 12, 31),
        "extension": (14, CD, GROUNDS, True),
        "periods": [(EXP, 72, H), (STD, 14, CD), (CON, 72, H), (POST, 30, CD)],
    },
    {
        "code": "ncqa",
        "name": "NCQA UM 5",
        "source": "NCQA HPA UM 5",
        "lines_of_business": [],
        "effective_from": date(2019, 1, 1),
        "extension": (15, CD, GROUNDS, False),
        "periods": [
            (EXP, 72, H),
            (STD, 15, CD),
            (CON, 24, H),
            (CON, 72, H, "medicare_advantage"),
            (CON, 72, H, "medicaid"),
            (CON, 72, H, "chip"),
            (POST, 30, CD),
        ],
    },
    {
        "code": "ca_knox_keene",
        "name": "California Knox-Keene",
        "source": "H&S Code 1367.01(h)",
        "lines_of_business": ["commercial"],
        "state": "CA",
        "effective_from": date(2019, 1, 1),
        "restarts_on_information": True,
        "notes": "No extension: send a delay notice instead.",
        "periods": [(EXP, 72, H), (STD, 5, BD), (CON, 72, H), (POST, 30, CD)],
    },
    {
        "code": "md_insurance",
        "name": "Maryland Insurance",
        "source": "Ins. Code 15-10B-06",
        "lines_of_business": ["commercial"],
        "state": "MD",
        "effective_from": date(2019, 1, 1),
        "restarts_on_information": True,
        "information_notice_days": 3,
        "periods": [
            (EXP, 2, BD),
            (EXP, 2, H, "", "behavioral_emergency_inpatient"),
            (EXP, 1, BD, "", "added_services"),
            (STD, 2, BD),
            (STD, 1, BD, "", "added_services"),
            (CON, 1, BD),
            (POST, 30, CD),
        ],
    },
]


def rules_ship(TurnaroundRule, TurnaroundPeriod) -> None:  # noqa: N803 - model classes
    """Create each shipped rule version that is missing (idempotent; never touches a
    version an administrator already has)."""
    for spec in RULES:
        amount, unit, grounds, for_expedited = spec.get("extension", (None, "", [], True))
        rule, created = TurnaroundRule.objects.get_or_create(
            code=spec["code"],
            effective_from=spec["effective_from"],
            defaults={
                "name": spec["name"],
                "source": spec["source"],
                "lines_of_business": spec["lines_of_business"],
                "state": spec.get("state", ""),
                "effective_to": spec.get("effective_to"),
                "restarts_on_information": spec.get("restarts_on_information", False),
                "information_notice_days": spec.get("information_notice_days"),
                "extension_amount": amount,
                "extension_unit": unit,
                "extension_grounds": grounds,
                "extension_for_expedited": for_expedited,
                "notes": spec.get("notes", ""),
            },
        )
        if not created:
            continue
        for period in spec["periods"]:
            situation, n, period_unit, *rest = period
            TurnaroundPeriod.objects.create(
                rule=rule,
                situation=situation,
                amount=n,
                unit=period_unit,
                line_of_business=rest[0] if rest else "",
                condition=rest[1] if len(rest) > 1 else "",
            )


def ship(apps, schema_editor=None) -> None:
    """Ship the rules with an app registry (a migration's or the global one)."""
    rules_ship(apps.get_model("cases", "TurnaroundRule"), apps.get_model("cases", "TurnaroundPeriod"))
