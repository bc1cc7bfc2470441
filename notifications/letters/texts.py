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

# Concurrent review (issue 19, item 2): an adverse decision on more days for a member in
# the hospital tells the member whether care stays covered while a fast appeal is pending,
# where the rule for the line of business gives that right. CHIP has none (42 CFR 457.1260
# does not apply 438.420's continuation of benefits), so its letters say nothing of it.
CONTINUED_COVERAGE_TEXTS = {
    # Group and individual health coverage: a reduction or end of an ongoing course of
    # treatment is appealable before it takes effect, with coverage continued pending the
    # outcome (29 CFR 2560.503-1(f)(2)(ii); 45 CFR 147.136(b), continued coverage pending appeal).
    "commercial": (
        "Because this decision ends or reduces care you are receiving in the hospital now, your hospital "
        "care stays covered while we decide a fast (expedited) appeal, if you or your doctor ask for the "
        "appeal before the days we approved end. Call us right away to appeal."
    ),
    # Medicaid: benefits continue during the appeal when the member asks for it within 10
    # calendar days of this notice or before the decision takes effect (42 CFR 438.420).
    "medicaid": (
        "You can keep getting this hospital care while your appeal is decided. To do so, ask for a fast "
        "(expedited) appeal and ask that your care continue within 10 calendar days of the date of this "
        "letter, or before the days we approved end, whichever is later. If the appeal decision is the "
        "same as this decision, you may have to pay for the care you got while the appeal was pending."
    ),
    # Medicare Advantage inpatients: an immediate review by the Quality Improvement
    # Organization, asked for no later than the day of discharge, keeps the stay covered
    # without charge to the member until the QIO decides (42 CFR 422.620-422.622).
    "medicare_advantage": (
        "If you think you are being asked to leave the hospital too soon, you can ask for an immediate "
        "review by the Quality Improvement Organization (QIO) named on your Important Message from "
        "Medicare. Ask no later than your planned discharge date. You will not be charged for your "
        "hospital stay while the QIO reviews the decision. You may also ask us for a fast (expedited) appeal."
    ),
}


# Referral management (issue 20). An out-of-network approval: the member may pay more (the
# plan's evidence of coverage sets the amounts; the letter says so plainly rather than quote
# a figure it cannot know for this member's plan).
OUT_OF_NETWORK_COST_TEXT = (
    "This provider is not in our network. Because we approved this care out of network, your "
    "cost sharing (copayment, coinsurance or deductible) may be higher than with a provider in our "
    "network, and the provider may bill you more unless the law protects you from it. Your Evidence of "
    "Coverage lists what you pay; call Member Services before your visit to ask what you will owe."
)

IN_NETWORK_COST_TEXT = (
    "The new provider is in our network, so you pay your plan's in-network cost sharing "
    "(copayment, coinsurance or deductible) for this care."
)
