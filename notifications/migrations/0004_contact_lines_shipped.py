"""The shipped phone lines and hours (RULES.md section 6, from the Mid-Atlantic provider
manual), so they exist everywhere: tests, `make run`, production. Administrators change
them in the portal afterwards; this migration never runs again.

Also makes the change log append-only in PostgreSQL (a trigger refuses UPDATE/DELETE).
"""

from datetime import time

from django.db import migrations

DAY = (time(8, 30), time(17, 0))
WEEKDAYS = range(0, 5)
WEEKEND = (5, 6)
HOLIDAY = 7

# key, name, phone, fax, tty, purpose, open_on_holidays, always_open, inquiries, hours
LINES = [
    (
        "umoc",
        "UMOC",
        "800-810-4766",
        "",
        "711",
        "Authorizations, their status, criteria copies, benefit-denial questions, "
        "and the UM physician for adverse determinations.",
        False,
        False,
        [
            "authorization_request",
            "authorization_status",
            "criteria_copy",
            "benefit_denial_question",
            "adverse_determination",
        ],
        {d: [DAY] for d in WEEKDAYS},
    ),
    (
        "umoc_urgent",
        "UMOC urgent pre-service",
        "800-810-4766",
        "",
        "711",
        "Urgent (expedited) pre-service requests: every day including holidays; on weekends "
        "and holidays through the Weekend and Holiday Line.",
        False,
        False,
        ["urgent_authorization"],
        {d: [DAY] for d in WEEKDAYS},
    ),
    (
        "weekend_holiday",
        "UMOC Weekend and Holiday Line",
        "301-960-1436",
        "",
        "711",
        "Urgent pre-service calls on Saturdays, Sundays and holidays.",
        True,
        False,
        [],
        {5: [DAY], 6: [DAY], HOLIDAY: [DAY]},
    ),
    ("referral_fax", "Referral fax", "", "800-660-2019", "", "Referrals and clinical records by fax.", True, True, [], {}),
    (
        "member_services",
        "Member Services",
        "800-777-7902",
        "",
        "711",
        "Members' questions about benefits, coverage and their requests.",
        False,
        False,
        ["member_services"],
        {d: [(time(7, 30), time(17, 30))] for d in WEEKDAYS},
    ),
    (
        "provider_experience",
        "Provider Experience",
        "877-806-7470",
        "",
        "711",
        "Provider offices: portal access, contracts, claims questions.",
        False,
        False,
        [],
        {d: [DAY] for d in WEEKDAYS},
    ),
]

TRIGGER = """
CREATE OR REPLACE FUNCTION notifications_contactchangelog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'notifications_contactchangelog rows are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER notifications_contactchangelog_append_only
    BEFORE UPDATE OR DELETE ON notifications_contactchangelog
    FOR EACH ROW EXECUTE FUNCTION notifications_contactchangelog_append_only();
"""
TRIGGER_DROP = """
DROP TRIGGER IF EXISTS notifications_contactchangelog_append_only ON notifications_contactchangelog;
DROP FUNCTION IF EXISTS notifications_contactchangelog_append_only();
"""


def ship(apps, schema_editor):
    ContactLine = apps.get_model("notifications", "ContactLine")
    Hours = apps.get_model("notifications", "ContactLineHours")
    Inquiry = apps.get_model("notifications", "ContactLineInquiry")
    Phone = apps.get_model("notifications", "ContactLinePhone")
    ChangeLog = apps.get_model("notifications", "ContactChangeLog")
    if ContactLine.objects.exists():
        return
    by_key = {}
    for order, (key, name, phone, fax, tty, purpose, holidays, always, inquiries, hours) in enumerate(LINES):
        line = ContactLine.objects.create(
            key=key,
            name=name,
            phone=phone,
            fax=fax,
            tty=tty,
            purpose=purpose,
            open_on_holidays=holidays,
            always_open=always,
            display_order=(order + 1) * 10,
        )
        by_key[key] = line
        Inquiry.objects.bulk_create([Inquiry(line=line, inquiry=kind) for kind in inquiries])
        Hours.objects.bulk_create(
            [Hours(line=line, weekday=day, opens=o, closes=c) for day, spans in hours.items() for o, c in spans]
        )
        ChangeLog.objects.create(
            object_kind="line",
            object_id=str(line.pk),
            object_label=name,
            action="created",
            old=None,
            new={"shipped": "RULES.md section 6", "phone": phone or fax, "inquiries": inquiries},
        )
    urgent = by_key["umoc_urgent"]
    urgent.fallback = by_key["weekend_holiday"]
    urgent.save(update_fields=["fallback"])
    Phone.objects.create(line=by_key["member_services"], line_of_business="medicare_advantage", phone="888-777-5536")


def unship(apps, schema_editor):
    # Leaves the configuration alone: administrators may have changed it since.
    pass


def trigger_add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def trigger_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_DROP)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_contact_lines")]

    operations = [
        migrations.RunPython(ship, unship),
        migrations.RunPython(trigger_add, trigger_drop),
    ]
