"""A synthetic sample case's letter context, for previewing a letter template before it is
saved (issue 22, item 8). Every value is invented (the member, the providers, the reviewer)
except what a real letter would also read from configuration: the plan's name and the phone
numbers (phone-line configuration) and appeal windows. It has every key `letter_context`
gives, for every kind, so any template that prints on a real case prints here
(tests/notifications/test_letters_template_preview.py holds the two in step)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from cases.models import LineOfBusiness

from ..models import Letter
from . import phones
from .context import fmt_date, fmt_datetime
from .texts import (
    CA_CONTINUITY_CONDITIONS,
    COC_PROVIDER_OBLIGATION_TEXT,
    EXPEDITED_APPEAL_TEXT,
    IN_NETWORK_COST_TEXT,
    LANGUAGE_ASSISTANCE_TEXT,
    MA_EXPEDITED_GRIEVANCE_TEXT,
    OUT_OF_NETWORK_COST_TEXT,
)

K = Letter.Kind
SAMPLE_REFERENCE = "UM-SAMPLE-0001"
NEW_PROVIDER = "Sample In-Network Surgery Center"
OUTCOMES = {
    K.APPROVAL: "Approved",
    K.OUT_OF_NETWORK_APPROVAL: "Approved",
    K.DENIAL: "Denied",
    K.PARTIAL_APPROVAL: "Partially approved",
}


def sample_context(*, kind: str, now: datetime | None = None) -> dict:
    """The context a `kind` letter to a sample member (or, for the continuation-of-care
    provider letter, a sample practice) would be rendered with."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start, end = today + timedelta(days=14), today + timedelta(days=44)
    numbers = phones.letter_phones(line_of_business=LineOfBusiness.MEDICARE_ADVANTAGE)
    to_member = kind != K.CONTINUATION_OF_CARE_PROVIDER
    partial = kind == K.PARTIAL_APPROVAL
    approved = 8 if partial else 12
    address = (
        ["Sample Member", "100 Example Street", "Baltimore, MD 21201"]
        if to_member
        else ["Dr. Sample Surgeon", "Sample Orthopedic Practice", "200 Example Avenue, Baltimore, MD 21201"]
    )
    criteria = [
        {
            "name": "Sample knee replacement criteria",
            "source": "internal",
            "version": "2026.1",
            "label": "Sample knee replacement criteria, version 2026.1 (the plan's own criteria)",
        }
    ]
    appeal_days = 60  # the Medicare Advantage window (42 CFR 422.582), as a real MA letter says
    return {
        # Every letter (letters.context._common).
        "plan_name": settings.PLAN_NAME,
        "letter_date": fmt_date(now),
        "reference": SAMPLE_REFERENCE,
        "kind": kind,
        "kind_label": Letter.Kind(kind).label,
        "to_member": to_member,
        "recipient_name": "Sample Member" if to_member else "Dr. Sample Surgeon, Sample Orthopedic Practice",
        "recipient_address_lines": address,
        "member_name": "Sample Member",
        "member_number": "M000000",
        "member_date_of_birth": fmt_date(today.replace(year=today.year - 67)),
        "plan": "Sample Medicare Advantage plan",
        "requesting_provider": "Dr. Sample Surgeon, Sample Orthopedic Practice",
        # A redirected referral's case names the new provider as its servicing provider.
        "servicing_provider": NEW_PROVIDER if kind == K.REFERRAL_REDIRECTED else "Sample Surgery Center",
        "services": [
            {
                "description": "Total knee replacement, right (sample)",
                "code": "CPT 27447",
                "units": 12,
                "approved_units": str(approved),
                "approved_text": f"{approved} of 12 units",
                "outcome": "Partially approved" if partial else "Approved",
                "start_date": fmt_date(start),
                "end_date": fmt_date(end),
                "dates": f"{fmt_date(start)} to {fmt_date(end)}",
                "is_approved": kind != K.DENIAL,
            }
        ],
        "received_on": fmt_date(now - timedelta(days=2)),
        "is_expedited": False,
        "is_california": False,
        "is_medicare_advantage": True,
        "member_services_phone": numbers["member_services"],
        "tty": numbers["tty"],
        "language_assistance": LANGUAGE_ASSISTANCE_TEXT.format(tty=numbers["tty"]),
        "criteria_copy_phone": numbers["criteria_copy"],
        "um_physician_phone": numbers["um_physician"],
        "um_phone": numbers["um"],
        "fax_number": numbers["fax"],
        # Decisions and appeal decisions.
        "outcome": OUTCOMES.get(kind, "Denied"),
        "basis": "Medical necessity",
        "reason": "The records sent do not show three months of physical therapy before surgery (sample).",
        "reason_code_text": "The records do not show that the service is medically necessary for you now (sample).",
        "unmet_criteria": ["Three months of supervised physical therapy (sample)"],
        "missing_documentation": ["Physical therapy notes (sample)"],
        "decided_on": fmt_date(now),
        "reviewer_name": "Dr. Sample Reviewer",
        "reviewer_credentials": "MD",
        "criteria": criteria,
        "appeal_days": str(appeal_days),
        "appeal_deadline": fmt_date(today + timedelta(days=appeal_days)),
        "expedited_appeal_text": EXPEDITED_APPEAL_TEXT,
        "ca_grievance_text": "",
        "continued_coverage_text": "",  # printed for a concurrent review only
        # Referral management: an out-of-network approval, a referral redirected in network.
        "out_of_network_reason": "no provider in the plan's network offers this service near you (sample)",
        "out_of_network_cost_text": OUT_OF_NETWORK_COST_TEXT,
        "previous_provider": "Sample Out-of-Network Clinic",
        "new_provider": NEW_PROVIDER,
        "new_provider_detail": "300 Example Road, Baltimore, MD 21201, 410-555-0100",
        "redirected_on": fmt_date(now),
        "redirection_cost_text": IN_NETWORK_COST_TEXT,
        # Requests for information.
        "requested_information": "The last two clinic notes and the knee X-ray report (sample).",
        "respond_by": fmt_date(today + timedelta(days=5)),
        # Extensions.
        "extension_reason": "We need the surgeon's clinic notes to decide (sample).",
        "extension_ground": "Outside information needed",
        "old_due": fmt_datetime(now + timedelta(days=5)),
        "new_due": fmt_datetime(now + timedelta(days=19)),
        "expedited_grievance_text": MA_EXPEDITED_GRIEVANCE_TEXT,
        # Appeals.
        "appeal_outcome": "Upheld",
        "appeal_upheld": True,
        "appeal_filed_on": fmt_date(now - timedelta(days=10)),
        # Continuation of care.
        "ended_organization": "Sample Community Hospital",
        "agreement_end_date": fmt_date(today - timedelta(days=1)),
        "agreement_end_reason": "the plan's agreement with this provider ended",
        "covered_through": fmt_date(end),
        "admitted_on": fmt_date(today - timedelta(days=3)),
        "authorization_reference": SAMPLE_REFERENCE,
        "ca_continuity_conditions": CA_CONTINUITY_CONDITIONS,
        "provider_obligation_text": COC_PROVIDER_OBLIGATION_TEXT,
    }
