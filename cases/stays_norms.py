"""The shipped length-of-stay norms: SYNTHETIC demo values, shaped like a geometric mean
length of stay (GMLOS) table per MS-DRG and near the published magnitudes, so the queue
has something plausible to compare against. A plan must replace them with its licensed
table (README, "Concurrent review"): load rows into LengthOfStayNorm with a newer
`effective_from`, which wins from that date."""

from datetime import date

EFFECTIVE_FROM = date(2025, 10, 1)
SOURCE = "Synthetic demo table (not CMS or MCG data); replace with the plan's licensed GMLOS table."

# (grouping, code, description, GMLOS days, principal-diagnosis ICD-10-CM prefixes)
NORMS = [
    ("ms_drg", "470", "Major hip and knee joint replacement without MCC", "1.90", ["M16", "M17"]),
    ("ms_drg", "291", "Heart failure and shock with MCC", "3.90", ["I50"]),
    ("ms_drg", "871", "Septicemia without mechanical ventilation over 96 hours, with MCC", "4.80", ["A40", "A41"]),
    ("ms_drg", "193", "Simple pneumonia and pleurisy with MCC", "3.90", ["J15", "J18"]),
    ("ms_drg", "190", "Chronic obstructive pulmonary disease with MCC", "3.40", ["J44"]),
    ("ms_drg", "065", "Intracranial hemorrhage or cerebral infarction with CC", "2.90", ["I61", "I63"]),
    ("ms_drg", "280", "Acute myocardial infarction, discharged alive, with MCC", "3.60", ["I21"]),
    ("ms_drg", "690", "Kidney and urinary tract infections without MCC", "2.70", ["N10", "N39"]),
    ("ms_drg", "603", "Cellulitis without MCC", "3.10", ["L03"]),
    ("ms_drg", "638", "Diabetes with CC", "2.80", ["E10", "E11"]),
    ("ms_drg", "885", "Psychoses", "5.60", ["F20", "F25", "F29", "F31"]),
    (
        "ms_drg",
        "897",
        "Alcohol or drug use disorder without rehabilitation therapy, without MCC",
        "3.30",
        ["F10", "F11"],
    ),
    ("ms_drg", "312", "Syncope and collapse", "2.20", ["R55"]),
    (
        "ms_drg",
        "392",
        "Esophagitis, gastroenteritis and miscellaneous digestive disorders without MCC",
        "2.40",
        ["A08", "A09", "K52"],
    ),
    ("ms_drg", "378", "Gastrointestinal hemorrhage with CC", "2.90", ["K92"]),
    ("ms_drg", "807", "Vaginal delivery without sterilization or D&C, without CC or MCC", "1.90", ["O80"]),
    ("ms_drg", "788", "Cesarean section without sterilization, without CC or MCC", "2.60", ["O82"]),
    ("ms_drg", "460", "Spinal fusion except cervical without MCC", "2.60", ["M48", "M51"]),
    ("ms_drg", "481", "Hip and femur procedures except major joint, with CC", "4.20", ["S72"]),
    ("ms_drg", "683", "Renal failure with CC", "3.20", ["N17", "N18"]),
    # Anything not grouped above: a medical admission of average length.
    ("diagnosis_group", "OTHER", "Other medical diagnoses", "3.50", [""]),
]


def ship(apps, schema_editor=None) -> None:
    norm_model = apps.get_model("cases", "LengthOfStayNorm")
    for grouping, code, description, days, prefixes in NORMS:
        norm_model.objects.get_or_create(
            grouping=grouping,
            code=code,
            effective_from=EFFECTIVE_FROM,
            defaults={
                "description": description,
                "geometric_mean_days": days,
                "diagnosis_prefixes": prefixes,
                "source": SOURCE,
            },
        )
