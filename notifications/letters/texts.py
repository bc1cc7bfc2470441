"""Fixed notice language that the law prescribes or the plan must always print. Letter
templates print these through variables, so the required-content check can find them."""

LANGUAGE_ASSISTANCE_TEXT = (
    "Free language help is available. If you need this letter in another language, in large print "
    "or read to you, call Member Services. If you are deaf or hard of hearing, call TTY {tty}."
)

EXPEDITED_APPEAL_TEXT = (
    "If waiting for a standard appeal could seriously harm your life, your health or your ability to "
    "regain maximum function, you or your doctor can ask for a fast (expedited) appeal. We decide "
    "fast appeals within 72 hours."
)

# Medicare Advantage extension notices (42 CFR 422.568(b)(1)(ii)).
MA_EXPEDITED_GRIEVANCE_TEXT = (
    "If you disagree with our decision to take more time, you have the right to file a fast "
    "(expedited) grievance. We will answer a fast grievance within 24 hours."
)

# California: the notice H&S Code 1368.02(b) requires, with the right to an Independent
# Medical Review (H&S Code 1374.30).
CA_GRIEVANCE_IMR_TEXT = (
    "The California Department of Managed Health Care is responsible for regulating health care "
    "service plans. If you have a grievance against your health plan, you should first telephone "
    "your health plan and use your health plan's grievance process before contacting the "
    "department. If you need help with a grievance involving an emergency, a grievance that has not "
    "been satisfactorily resolved by your health plan, or a grievance that has remained unresolved "
    "for more than 30 days, you may call the department for assistance. You may also be eligible "
    "for an Independent Medical Review (IMR). If you are eligible for IMR, the IMR process will "
    "provide an impartial review of medical decisions made by a health plan related to the medical "
    "necessity of a proposed service or treatment, coverage decisions for treatments that are "
    "experimental or investigational in nature and payment disputes for emergency or urgent medical "
    "services. The department also has a toll-free telephone number (1-888-466-2219) and a TDD line "
    "(1-877-688-9891) for the hearing and speech impaired. The department's Internet Web site "
    "www.dmhc.ca.gov has complaint forms, IMR application forms and instructions online."
)

# California continuity of care (H&S Code 1373.96(c)).
CA_CONTINUITY_CONDITIONS = [
    "An acute condition: for as long as the acute condition lasts.",
    "A serious chronic condition: for up to 12 months.",
    "A pregnancy: through the pregnancy and the care right after delivery (postpartum).",
    "A terminal illness: for as long as the illness lasts.",
    "Care of a newborn from birth to 36 months old: for up to 12 months.",
    "A surgery or other procedure that we already authorized and that is scheduled within 180 days.",
]

COC_PROVIDER_OBLIGATION_TEXT = (
    "Under your agreement with the plan, you must keep providing covered services and equipment to "
    "the member named below until the member is discharged, on the same terms as before the "
    "agreement ended."
)
