"""Synthetic demo data tables for `seed_demo`. Every name, number and address is invented."""

from datetime import date

from cases.models import LineOfBusiness
from um_portal.roles import Role

# fmt: off
ORGANIZATIONS = [
    # key, name, npi, tin, kind, state
    ('ortho', 'Chesapeake Orthopedic Associates', '1122334455', '520000001', 'practice', 'MD'),
    ('surgery', 'Harbor Ambulatory Surgery Center', '1982736450', '520000002', 'facility', 'MD'),
    ('imaging', 'Patapsco Imaging Center', '1456789019', '520000003', 'imaging', 'MD'),
    ('hospital', 'St. Brigid Regional Hospital', '1567890128', '520000004', 'hospital', 'MD'),
    ('dme', 'Severn Home Medical Supply', '1223344551', '520000005', 'dme', 'MD'),
    ('lapsed', 'Old Line Physical Therapy', '1789012345', '520000006', 'practice', 'MD'),
]
PRACTITIONERS = [
    # npi, first, last, credentials, specialty, organization key
    ('1234567893', 'Grace', 'Okafor', 'MD', 'Orthopedic surgery', 'ortho'),
    ('1345678902', 'Daniel', 'Whitfield', 'DO', 'Orthopedic surgery', 'ortho'),
    ('1678901236', 'Priya', 'Raman', 'MD', 'Diagnostic radiology', 'imaging'),
    ('1890123452', 'Samuel', 'Ashby', 'MD', 'Internal medicine', 'hospital'),
]
MEMBERS = [
    # number, first, last, dob, sex, city, state, zip, plan, lob, coverage end (None = open)
    ('M100001', 'Alice', 'Marlowe', date(1961, 4, 2), 'F', 'Baltimore', 'MD', '21201', 'Mid-Atlantic Choice PPO', LineOfBusiness.COMMERCIAL, None),
    ('M100002', 'Bernard', 'Quill', date(1948, 9, 15), 'M', 'Towson', 'MD', '21204', 'Mid-Atlantic Medicare Advantage HMO', LineOfBusiness.MEDICARE_ADVANTAGE, None),
    ('M100003', 'Carmen', 'Delacroix', date(1990, 1, 20), 'F', 'Annapolis', 'MD', '21401', 'Mid-Atlantic HealthChoice (Medicaid)', LineOfBusiness.MEDICAID, None),
    ('M100004', 'Dylan', 'Ferro', date(2014, 6, 30), 'M', 'Columbia', 'MD', '21044', 'Mid-Atlantic MCHP (CHIP)', LineOfBusiness.CHIP, None),
    ('M100005', 'Elena', 'Vasquez', date(1975, 11, 3), 'F', 'Sacramento', 'CA', '95814', 'Mid-Atlantic California HMO', LineOfBusiness.COMMERCIAL, None),
    ('M100006', 'Frank', 'Osei', date(1982, 3, 12), 'M', 'Arlington', 'VA', '22201', 'Mid-Atlantic Virginia PPO', LineOfBusiness.COMMERCIAL, None),
    ('M100007', 'Gloria', 'Pemberton', date(1970, 7, 7), 'F', 'Frederick', 'MD', '21701', 'Mid-Atlantic Choice PPO', LineOfBusiness.COMMERCIAL, date(2025, 12, 31)),
    ('M100008', 'Henry', 'Lindqvist', date(1955, 2, 28), 'M', 'Bethesda', 'MD', '20814', 'Mid-Atlantic Medicare Advantage HMO', LineOfBusiness.MEDICARE_ADVANTAGE, None),
    ('M100009', 'Irene', 'Castellano', date(1966, 12, 1), 'F', 'Silver Spring', 'MD', '20901', 'Mid-Atlantic Choice PPO', LineOfBusiness.COMMERCIAL, None),
    ('M100010', 'James', 'Nakamura', date(1959, 5, 19), 'M', 'Rockville', 'MD', '20850', 'Mid-Atlantic Medicare Advantage HMO', LineOfBusiness.MEDICARE_ADVANTAGE, None),
    ('M100011', 'Keisha', 'Brandt', date(1987, 8, 8), 'F', 'Laurel', 'MD', '20707', 'Mid-Atlantic HealthChoice (Medicaid)', LineOfBusiness.MEDICAID, None),
    ('M100012', 'Luis', 'Abernathy', date(1979, 10, 10), 'M', 'Hagerstown', 'MD', '21740', 'Mid-Atlantic Choice PPO', LineOfBusiness.COMMERCIAL, None),
]
# Synthetic contract and plan numbers for the public CMS-0057-F report, by line of business.
CONTRACTS = [
    # program (line of business), number, name
    (LineOfBusiness.MEDICARE_ADVANTAGE, 'H9001', 'Mid-Atlantic Medicare Advantage HMO'),
    (LineOfBusiness.MEDICAID, 'MD-MCO-901', 'Mid-Atlantic HealthChoice (Medicaid)'),
    (LineOfBusiness.CHIP, 'MD-CHIP-901', 'Mid-Atlantic MCHP (CHIP)'),
]
ADMITTED_MEMBERS = ['M100009', 'M100010', 'M100011']
USERS = [
    # username, first, last, credentials, role, organization key
    ('admin', 'Avery', 'Admin', '', Role.ADMIN, None),
    ('nurse', 'Nora', 'Reyes', 'RN', Role.NURSE, None),
    ('nurse2', 'Noel', 'Park', 'RN', Role.NURSE, None),
    ('supervisor', 'Sasha', 'Brooks', 'RN', Role.NURSE, None),
    ('referrals', 'Rita', 'Lane', 'RN', Role.NURSE, None),
    ('physician', 'Miriam', 'Stone', 'MD', Role.PHYSICIAN, None),
    ('physician2', 'Marcus', 'Bell', 'MD', Role.PHYSICIAN, None),
    ('physician_ca', 'Camila', 'Ortiz', 'MD', Role.PHYSICIAN, None),
    ('provider', 'Paula', 'Grant', '', Role.PROVIDER, 'ortho'),
    ('provider2', 'Peter', 'Hale', '', Role.PROVIDER, 'imaging'),
]
# Nurses who are also UM supervisors (bulk reassignment, reviewers' open load).
SUPERVISORS = ('supervisor',)
# Nurses of the Referral Management Unit (issue 20): out-of-network referrals, redirections.
REFERRAL_UNIT = ('referrals',)
LICENSES = {
    'physician': [('MD', 'D0070001'), ('VA', '0101270001'), ('DC', 'MD040001')],
    'physician2': [('MD', 'D0070002'), ('VA', '0101270002'), ('DC', 'MD040002')],
    'physician_ca': [('CA', 'A170001')],
}
CASE_PLAN = [
    # member, service category, code system, code, description, dx, urgency, hours ago, status, requester, servicer
    ('M100001', 'outpatient_procedure', 'CPT', '27447', 'Total knee replacement, right', 'M17.11', 'standard', 2, 'received', 'ortho', 'surgery'),
    ('M100002', 'outpatient_procedure', 'CPT', '27447', 'Total knee replacement, left', 'M17.12', 'standard', 20, 'received', 'ortho', 'surgery'),
    ('M100003', 'imaging', 'CPT', '72148', 'MRI lumbar spine without contrast', 'M54.16', 'expedited', 5, 'received', 'ortho', 'imaging'),
    ('M100004', 'specialty_referral', 'CPT', '99204', 'New patient orthopedic consultation', 'S83.511A', 'standard', 30, 'received', 'ortho', 'ortho'),
    ('M100005', 'imaging', 'CPT', '72148', 'MRI lumbar spine without contrast', 'M54.5', 'standard', 26, 'received', 'imaging', 'imaging'),
    ('M100006', 'outpatient_procedure', 'CPT', '29881', 'Knee arthroscopy with meniscectomy', 'S83.241A', 'standard', 50, 'received', 'ortho', 'surgery'),
    ('M100008', 'dme', 'HCPCS', 'E0601', 'CPAP breathing device', 'G47.33', 'standard', 70, 'received', 'ortho', 'dme'),
    ('M100012', 'imaging', 'CPT', '73721', 'MRI knee without contrast', 'M23.221', 'expedited', 1, 'received', 'ortho', 'imaging'),
    ('M100001', 'imaging', 'CPT', '73721', 'MRI knee without contrast', 'M17.11', 'standard', 96, 'in_review', 'ortho', 'imaging'),
    ('M100002', 'imaging', 'CPT', '72148', 'MRI lumbar spine without contrast', 'M54.16', 'expedited', 30, 'in_review', 'imaging', 'imaging'),
    ('M100003', 'outpatient_procedure', 'CPT', '29881', 'Knee arthroscopy with meniscectomy', 'S83.241A', 'standard', 120, 'in_review', 'ortho', 'surgery'),
    ('M100008', 'outpatient_procedure', 'CPT', '27447', 'Total knee replacement, right', 'M17.11', 'standard', 150, 'in_review', 'ortho', 'surgery'),
    ('M100012', 'dme', 'HCPCS', 'E0601', 'CPAP breathing device', 'G47.33', 'standard', 48, 'in_review', 'ortho', 'dme'),
    ('M100006', 'imaging', 'CPT', '73721', 'MRI knee without contrast', 'M23.221', 'standard', 80, 'in_review', 'imaging', 'imaging'),
    ('M100011', 'home_health', 'HCPCS', 'G0151', 'Home physical therapy visits', 'Z96.651', 'standard', 100, 'pended', 'ortho', 'ortho'),
    ('M100001', 'outpatient_procedure', 'CPT', '29881', 'Knee arthroscopy with meniscectomy', 'S83.241A', 'standard', 200, 'pended', 'ortho', 'surgery'),
    ('M100005', 'outpatient_procedure', 'CPT', '27447', 'Total knee replacement, left', 'M17.12', 'standard', 60, 'pended', 'ortho', 'surgery'),
    ('M100002', 'outpatient_procedure', 'CPT', '27447', 'Total knee replacement, right', 'M17.11', 'standard', 170, 'physician_review', 'ortho', 'surgery'),
    ('M100003', 'imaging', 'CPT', '72148', 'MRI lumbar spine without contrast', 'M54.5', 'standard', 110, 'physician_review', 'imaging', 'imaging'),
    ('M100012', 'outpatient_procedure', 'CPT', '27447', 'Total knee replacement, left', 'M17.12', 'expedited', 40, 'physician_review', 'ortho', 'surgery'),
    ('M100005', 'imaging', 'CPT', '73721', 'MRI knee without contrast', 'M23.221', 'standard', 90, 'physician_review', 'ortho', 'imaging'),
    ('M100001', 'specialty_referral', 'CPT', '99204', 'New patient orthopedic consultation', 'M17.11', 'standard', 300, 'approved', 'ortho', 'ortho'),
    ('M100006', 'imaging', 'CPT', '72148', 'MRI lumbar spine without contrast', 'M54.16', 'standard', 260, 'approved', 'imaging', 'imaging'),
    ('M100008', 'imaging', 'CPT', '73721', 'MRI knee without contrast', 'M17.11', 'standard', 240, 'approved', 'ortho', 'imaging'),
    ('M100004', 'primary_care_follow_up', 'CPT', '99213', 'Follow-up office visit', 'S83.511A', 'standard', 220, 'approved', 'ortho', 'ortho'),
    ('M100003', 'dme', 'HCPCS', 'E0601', 'CPAP breathing device', 'G47.33', 'standard', 280, 'approved', 'ortho', 'dme'),
    ('M100002', 'imaging', 'CPT', '72148', 'MRI lumbar spine without contrast', 'M54.5', 'standard', 320, 'denied', 'imaging', 'imaging'),
    ('M100012', 'outpatient_procedure', 'CPT', '27447', 'Total knee replacement, right', 'M17.11', 'standard', 340, 'denied', 'ortho', 'surgery'),
    ('M100008', 'home_health', 'HCPCS', 'G0151', 'Home physical therapy visits', 'Z96.651', 'standard', 250, 'partially_approved', 'ortho', 'ortho'),
    ('M100006', 'outpatient_procedure', 'CPT', '29881', 'Knee arthroscopy with meniscectomy', 'S83.241A', 'standard', 210, 'withdrawn', 'ortho', 'surgery'),
]
# fmt: on
CRITERIA = [
    (
        "Knee arthroscopy with meniscectomy",
        "internal",
        "2026.1",
        date(2026, 1, 1),
        "Arthroscopic meniscectomy is medically necessary for a symptomatic meniscal tear with mechanical "
        "symptoms, confirmed on MRI, after conservative care, without advanced osteoarthritis.",
        [
            "Mechanical symptoms (locking, catching) or a positive McMurray test",
            "Meniscal tear confirmed on MRI",
            "At least 4 weeks of conservative care, unless the knee is locked",
            "No advanced osteoarthritis (Kellgren-Lawrence grade 3 or 4) in the same compartment",
        ],
        [("CPT", "29881")],
    ),
    (
        "Home health physical therapy",
        "internal",
        "2026.1",
        date(2026, 1, 1),
        "Home physical therapy visits are medically necessary when the member is homebound and a "
        "functional assessment shows goals that skilled therapy can reach in the visits requested.",
        [
            "Member is homebound (leaving home takes considerable and taxing effort)",
            "Functional assessment with measurable goals",
            "Number of visits matches the goals and expected progress",
        ],
        [("HCPCS", "G0151")],
    ),
    (
        "Total knee arthroplasty",
        "internal",
        "2026.1",
        date(2026, 1, 1),
        "Total knee arthroplasty is medically necessary for advanced knee osteoarthritis when pain and "
        "loss of function persist despite at least 12 weeks of documented conservative treatment.",
        [
            "Radiographic evidence of advanced osteoarthritis (Kellgren-Lawrence grade 3 or 4)",
            "Pain and functional limitation interfering with daily activities",
            "At least 12 weeks of conservative therapy (physical therapy, NSAIDs, injections) failed",
            "No active infection in the knee or elsewhere",
        ],
        [("CPT", "27447")],
    ),
    (
        "MRI of the lumbar spine",
        "internal",
        "2026.1",
        date(2026, 1, 1),
        "Lumbar spine MRI is medically necessary for low back pain with red-flag signs, or with "
        "radiculopathy persisting after 6 weeks of conservative care.",
        [
            "Red-flag signs (cauda equina, suspected infection or malignancy, progressive deficit), or",
            "Radiculopathy persisting after 6 weeks of conservative therapy",
            "Result would change management",
        ],
        [("CPT", "72148")],
    ),
    (
        "Positive airway pressure devices",
        "internal",
        "2026.1",
        date(2026, 1, 1),
        "A CPAP device is medically necessary for obstructive sleep apnea confirmed by a sleep study "
        "with an apnea-hypopnea index of 15 or more, or 5 to 14 with symptoms.",
        ["Sleep study within the last 12 months", "AHI of 15 or more, or 5-14 with documented symptoms"],
        [("HCPCS", "E0601")],
    ),
]
