"""The shipped reason-code catalogue, version 2026.1 (issue 16, item 2).

`x12_code` is HCR03 of the X12 278 response (X12 external code list 886, licensed from X12,
which PAS sends as reviewAction.reasonCode). The values shipped here are in that list's
shape; the plan's administrator confirms them against its licensed copy before go-live and
publishes a new catalogue version for any change. Member texts are checked by a test for a
6th-grade reading level at most (tests/reviews/test_reason_codes.py)."""

from django.db import migrations

VERSION = "2026.1"
EFFECTIVE_FROM = "2026-01-01"

DENIAL, PARTIAL, PEND, APPEAL = "denial", "partial_approval", "pend", "appeal"
MEDICAL, BENEFIT, ADMIN = "medical_necessity", "benefit", "administrative"

# code, X12 HCR03, kinds, basis, staff label, member text
SHIPPED = [
    ("MN01", "0A", [DENIAL, PARTIAL, APPEAL], MEDICAL, "Medical necessity criteria not met",
     "Your health records do not show that you need this care now. We checked them against our rules for this care."),
    ("MN02", "0B", [DENIAL, PARTIAL, APPEAL], MEDICAL, "A lower level of care or setting is appropriate",
     "You can get this care in a simpler way or place that is just as safe for you."),
    ("MN03", "0C", [PARTIAL, APPEAL], MEDICAL, "Fewer units, visits or days than requested are supported",
     "Your records show that you need some of this care, but not as much as was asked for."),
    ("MN04", "0D", [DENIAL, PARTIAL, APPEAL], MEDICAL, "Clinical documentation does not support the request",
     "We did not get the records we need to show that you need this care."),
    ("BN01", "0E", [DENIAL, APPEAL], BENEFIT, "Not a covered benefit",
     "Your plan does not pay for this care."),
    ("BN02", "0F", [DENIAL, APPEAL], BENEFIT, "Experimental or investigational service",
     "This care is still being tested to see if it works. Your plan does not pay for it."),
    ("AD01", "0G", [DENIAL, APPEAL], ADMIN, "Member not eligible on the date of service",
     "You did not have this plan on the day of the care."),
    ("AD02", "0H", [DENIAL], ADMIN, "Duplicate of a request already on file",
     "We already have a request for this same care."),
    ("PD01", "0J", [PEND], "", "Clinical information needed",
     "We need more facts from your doctor before we can decide."),
    ("PD02", "0K", [PEND], "", "Test or imaging results needed",
     "We need the results of your tests or scans before we can decide."),
    ("AP01", "0L", [APPEAL], "", "Decision upheld on appeal",
     "We looked at your case again. We still cannot approve this care. The reasons are below."),
]


def ship(apps, schema_editor):
    """Add version 2026.1 where the catalogue is empty (never touches an edited one)."""
    ReasonCatalogue = apps.get_model("reviews", "ReasonCatalogue")
    ReasonCode = apps.get_model("reviews", "ReasonCode")
    if ReasonCatalogue.objects.exists():
        return
    catalogue = ReasonCatalogue.objects.create(
        version=VERSION, effective_from=EFFECTIVE_FROM, note="Shipped with the portal."
    )
    ReasonCode.objects.bulk_create(
        ReasonCode(
            catalogue=catalogue, code=code, x12_code=x12, kinds=kinds, basis=basis, label=label, member_text=text
        )
        for code, x12, kinds, basis, label, text in SHIPPED
    )


class Migration(migrations.Migration):
    dependencies = [("reviews", "0008_reason_codes")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
