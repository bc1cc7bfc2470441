"""The shipped letter bodies (plain language), loaded by a data migration as version 1 of
each kind. Administrators then edit them in the admin, which saves new versions."""

from pathlib import Path

HERE = Path(__file__).parent

TITLES = {
    "approval": "Your request is approved",
    "denial": "We cannot approve this request",
    "partial_approval": "We approved part of this request",
    "request_for_information": "We need more information to decide",
    "extension": "We need more time to decide",
    "appeal_decision": "Our decision on the appeal",
    "continuation_of_care_member": "Your hospital care continues to be covered",
    "continuation_of_care_provider": "Continuation of care for a member in your facility",
    "continuity_of_care_rights": "Your right to continuity of care",
    "out_of_network_approval": "Your referral is approved with an out-of-network provider",
    "referral_redirected": "Your referral now goes to a provider in our network",
}


def default_body(kind: str) -> str:
    return (HERE / f"{kind}.html").read_text(encoding="utf-8")
