"""The NUCC Health Care Provider Taxonomy codes the portal and its demo use (issue 20).

No maintained package ships the NUCC code set, so the codes and names are copied here from
the NUCC taxonomy (https://taxonomy.nucc.org: grouping, classification, specialization and
the display name). Administrators add others in the admin.
"""

from django.db import migrations

PHYSICIANS = "Allopathic & Osteopathic Physicians"

# code, grouping, classification, specialization, display name
NUCC_SPECIALTIES = [
    ("207R00000X", PHYSICIANS, "Internal Medicine", "", "Internal Medicine Physician"),
    ("207RC0000X", PHYSICIANS, "Internal Medicine", "Cardiovascular Disease", "Cardiovascular Disease Physician"),
    ("207RI0011X", PHYSICIANS, "Internal Medicine", "Interventional Cardiology", "Interventional Cardiology Physician"),
    (
        "207RC0001X", PHYSICIANS, "Internal Medicine", "Clinical Cardiac Electrophysiology",
        "Clinical Cardiac Electrophysiology Physician",
    ),
    ("207RG0100X", PHYSICIANS, "Internal Medicine", "Gastroenterology", "Gastroenterology Physician"),
    (
        "207RE0101X", PHYSICIANS, "Internal Medicine", "Endocrinology, Diabetes & Metabolism",
        "Endocrinology, Diabetes & Metabolism Physician",
    ),
    ("207RN0300X", PHYSICIANS, "Internal Medicine", "Nephrology", "Nephrology Physician"),
    ("207RP1001X", PHYSICIANS, "Internal Medicine", "Pulmonary Disease", "Pulmonary Disease Physician"),
    ("207RX0202X", PHYSICIANS, "Internal Medicine", "Medical Oncology", "Medical Oncology Physician"),
    ("207RR0500X", PHYSICIANS, "Internal Medicine", "Rheumatology", "Rheumatology Physician"),
    ("207Q00000X", PHYSICIANS, "Family Medicine", "", "Family Medicine Physician"),
    ("207X00000X", PHYSICIANS, "Orthopaedic Surgery", "", "Orthopaedic Surgery Physician"),
    ("207N00000X", PHYSICIANS, "Dermatology", "", "Dermatology Physician"),
    ("2084N0400X", PHYSICIANS, "Psychiatry & Neurology", "Neurology", "Neurology Physician"),
    ("207V00000X", PHYSICIANS, "Obstetrics & Gynecology", "", "Obstetrics & Gynecology Physician"),
    ("207W00000X", PHYSICIANS, "Ophthalmology", "", "Ophthalmology Physician"),
    ("208800000X", PHYSICIANS, "Urology", "", "Urology Physician"),
    ("208000000X", PHYSICIANS, "Pediatrics", "", "Pediatrics Physician"),
    ("2085R0202X", PHYSICIANS, "Radiology", "Diagnostic Radiology", "Diagnostic Radiology Physician"),
    ("261QR0200X", "Ambulatory Health Care Facilities", "Clinic/Center", "Radiology", "Radiology Clinic/Center"),
    ("291U00000X", "Laboratories", "Clinical Medical Laboratory", "", "Clinical Medical Laboratory"),
    (
        "225100000X", "Respiratory, Developmental, Rehabilitative and Restorative Service Providers",
        "Physical Therapist", "", "Physical Therapist",
    ),
]  # fmt: skip


def ship(apps, schema_editor):
    Specialty = apps.get_model("cases", "Specialty")
    for code, grouping, classification, specialization, display_name in NUCC_SPECIALTIES:
        Specialty.objects.update_or_create(
            code=code,
            defaults={
                "grouping": grouping,
                "classification": classification,
                "specialization": specialization,
                "display_name": display_name,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_directory")]

    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
