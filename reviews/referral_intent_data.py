"""The shipped clinical-intent mapping (issue 20, item 3): for each specialty (NUCC
taxonomy code), the ICD-10-CM blocks it usually treats and the CPT families it performs.
Sources: the ICD-10-CM chapter table (CMS/NCHS, FY2026) and the CPT section ranges (AMA CPT
2026, "Surgery", "Medicine" subsections). Loaded once by a data migration; administrators
keep it in the admin afterwards. It raises questions for a nurse, never a denial."""

# (specialty, specialty name, ICD-10-CM ranges, service family, CPT from, CPT to)
INTENT_RULES = [
    ("207RC0000X", "Cardiovascular Disease", "I00-I99 R00-R09 R55-R55 Q20-Q28 Z95-Z95",
     "Cardiovascular studies and procedures", "92920", "93799"),
    ("207RC0000X", "Cardiovascular Disease", "I00-I99 R00-R09 R55-R55 Q20-Q28 Z95-Z95",
     "Cardiovascular surgery of the heart", "33010", "33999"),
    ("207X00000X", "Orthopaedic Surgery", "M00-M99 S00-T14 Q65-Q79 Z96-Z96",
     "Musculoskeletal surgery", "20100", "29999"),
    ("207N00000X", "Dermatology", "L00-L99 C43-C44 D03-D04 D22-D23 B07-B08",
     "Integumentary procedures", "10030", "19499"),
    ("207RG0100X", "Gastroenterology", "K00-K95 R10-R19 C15-C26 D12-D13 D37-D37",
     "Digestive endoscopy", "43180", "45398"),
    ("2084N0400X", "Neurology", "G00-G99 R25-R29 R51-R51 R56-R56 I60-I69",
     "Neurology and neuromuscular studies", "95700", "96020"),
    ("207W00000X", "Ophthalmology", "H00-H59 E08-E13",
     "Eye and ocular adnexa surgery", "65091", "68899"),
    ("207RE0101X", "Endocrinology, Diabetes & Metabolism", "E00-E89 C73-C75", "", "", ""),
    ("207RP1001X", "Pulmonary Disease", "J00-J99 R04-R06 C34-C34 G47-G47",
     "Pulmonary function testing", "94010", "94799"),
    ("207V00000X", "Obstetrics & Gynecology", "O00-O9A N70-N98 Z30-Z39 C51-C58 D25-D28",
     "Female genital system and maternity care", "56405", "59899"),
    ("208800000X", "Urology", "N00-N53 R30-R39 C60-C68 D29-D30",
     "Urinary system and male genital procedures", "50010", "55899"),
]  # fmt: skip


def ship(apps, schema_editor):
    """Put the shipped rows in an empty table (idempotent; tests put them back after a flush)."""
    Rule = apps.get_model("reviews", "ClinicalIntentRule")
    if Rule.objects.exists():
        return
    Rule.objects.bulk_create(
        Rule(specialty=code, specialty_name=name, diagnosis_ranges=ranges, service_family=family,
             code_from=low, code_to=high)
        for code, name, ranges, family, low, high in INTENT_RULES
    )  # fmt: skip
