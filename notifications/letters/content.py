"""The required-content check (RULES.md section 4): before a letter is issued, every element
its kind must carry has to be present and non-empty, and has to be in the rendered text (a
template an administrator edited may have dropped it)."""

import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags

from ..models import Letter
from .context import ADVERSE_KINDS, DECISION_KINDS

K = Letter.Kind
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Element:
    label: str
    values: tuple[str, ...]  # every one must be non-empty and printed


def _el(label: str, *values) -> Element:
    return Element(label, tuple("" if v is None else str(v) for v in values))


def normalize(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def html_text(markup: str) -> str:
    """The text a reader sees in the letter's HTML, whitespace collapsed."""
    return normalize(html.unescape(strip_tags(markup)))


def _every_letter(ctx: dict) -> list[Element]:
    services = ctx["services"] or [{"description": ""}]
    return [
        _el("member name", ctx["member_name"]),
        _el("member number", ctx["member_number"]),
        _el("case reference", ctx["reference"]),
        _el("service in plain words", *(s["description"] for s in services)),
        _el("requesting provider", ctx["requesting_provider"]),
        _el("servicing provider", ctx["servicing_provider"]),
        _el("letter date", ctx["letter_date"]),
        _el("language assistance", ctx["language_assistance"]),
        _el("TTY number", ctx["tty"]),
    ]


def _approved_services(ctx: dict) -> list[Element]:
    approved = [s for s in ctx["services"] if s["is_approved"]]
    if not approved:
        return [_el("approved services, units and dates", "")]
    elements = []
    for s in approved:
        elements.append(_el(f"approved units for {s['description']}", s["approved_text"]))
        elements.append(_el(f"valid dates for {s['description']}", s["start_date"], s["end_date"]))
    return elements


def _criteria(ctx: dict) -> list[Element]:
    if not ctx["criteria"]:
        return [_el("criteria name and version", "")]
    return [_el("criteria name and version", c["name"], c["version"]) for c in ctx["criteria"]]


def _reviewer(ctx: dict) -> list[Element]:
    # Credentials are short ("MD"): look for them printed with the name, as "Name, MD".
    name, credentials = ctx["reviewer_name"], ctx["reviewer_credentials"]
    return [
        _el("reviewer name", name),
        _el("reviewer credentials", f"{name}, {credentials}" if name and credentials else ""),
    ]


def required_elements(kind: str, ctx: dict) -> list[Element]:
    elements = _every_letter(ctx)
    if kind in (K.APPROVAL, K.OUT_OF_NETWORK_APPROVAL):
        elements += _approved_services(ctx)
    if kind == K.OUT_OF_NETWORK_APPROVAL:
        elements += [
            _el("reason approved out of network", ctx["out_of_network_reason"]),
            _el("out-of-network cost sharing", ctx["out_of_network_cost_text"]),
            _el("whom to call", ctx["member_services_phone"]),
        ]
    if kind == K.REFERRAL_REDIRECTED:
        elements += [
            _el("new servicing provider", ctx["new_provider"]),
            _el("provider first requested", ctx["previous_provider"]),
            _el("in-network cost sharing", ctx["redirection_cost_text"]),
            _el("whom to call", ctx["member_services_phone"]),
        ]
    if kind in ADVERSE_KINDS:
        elements.append(_el("specific reason", ctx["reason"]))
        elements.append(_el("coded reason in plain language", ctx["reason_code_text"]))
        # Benefit and administrative denials rest on the plan's terms, not clinical criteria.
        if ctx["basis"] in ("", "Medical necessity"):
            elements += _criteria(ctx)
            # What the reviewer's worksheet found unmet or undocumented, each printed (issue 16).
            elements.append(
                _el("unmet criteria or missing documentation", *ctx["unmet_criteria"], *ctx["missing_documentation"])
            )
        else:
            elements.append(_el("basis of the decision", ctx["basis"]))
        elements += _reviewer(ctx)
        elements += [
            _el("phone number for a free copy of the criteria", ctx["criteria_copy_phone"]),
            _el("phone number for the UM physician", ctx["um_physician_phone"]),
            _el("appeal deadline", f"{ctx['appeal_days']} calendar days", ctx["appeal_deadline"]),
            _el("expedited appeal option", ctx["expedited_appeal_text"]),
        ]
        if ctx["is_california"]:
            elements.append(_el("California grievance and independent medical review rights", ctx["ca_grievance_text"]))
        if ctx.get("continued_coverage_text"):
            elements.append(
                _el("continued coverage while an expedited appeal is pending", ctx["continued_coverage_text"])
            )
    if kind == K.PARTIAL_APPROVAL:
        elements += _approved_services(ctx)
    if kind == K.REQUEST_FOR_INFORMATION:
        elements += [
            _el("what is missing", ctx["requested_information"]),
            _el("respond-by date", ctx["respond_by"]),
            # The letter asks for a fax: it prints the number (issue 22, item 8).
            _el("fax number for the records", ctx["fax_number"]),
        ]
        elements += _criteria(ctx)
    if kind == K.EXTENSION:
        elements += [_el("reason for the extension", ctx["extension_reason"]), _el("new due date", ctx["new_due"])]
        if ctx["is_medicare_advantage"]:
            elements.append(_el("right to an expedited grievance", ctx["expedited_grievance_text"]))
    if kind == K.APPEAL_DECISION:
        elements += [_el("appeal outcome", ctx["appeal_outcome"]), _el("specific reason", ctx["reason"])]
        if ctx["appeal_upheld"]:
            elements.append(_el("coded reason in plain language", ctx["reason_code_text"]))
        elements += _reviewer(ctx)
        if ctx["is_california"] and ctx["appeal_upheld"]:
            elements.append(_el("California grievance and independent medical review rights", ctx["ca_grievance_text"]))
    if kind in (K.CONTINUATION_OF_CARE_MEMBER, K.CONTINUATION_OF_CARE_PROVIDER, K.CONTINUITY_OF_CARE_RIGHTS):
        elements += [
            _el("provider whose agreement ended", ctx["ended_organization"]),
            _el("date the agreement ended", ctx["agreement_end_date"]),
        ]
    if kind == K.CONTINUATION_OF_CARE_MEMBER:
        elements += [
            _el("care covered until discharge or the paid-through date", ctx["covered_through"]),
            _el("whom to call", ctx["member_services_phone"]),
        ]
    if kind == K.CONTINUATION_OF_CARE_PROVIDER:
        elements += [
            _el("obligation to keep providing covered services", ctx["provider_obligation_text"]),
            _el("authorization reference", ctx["authorization_reference"]),
        ]
    if kind == K.CONTINUITY_OF_CARE_RIGHTS:
        elements.append(_el("whom to call", ctx["member_services_phone"]))
        if ctx["is_california"]:
            elements.append(_el("California continuity-of-care conditions", *ctx["ca_continuity_conditions"]))
    return elements


def content_missing(kind: str, ctx: dict, text: str) -> list[str]:
    """Labels of required elements that are empty or not printed in `text` (normalized)."""
    missing = []
    for element in required_elements(kind, ctx):
        if not element.values or any(not normalize(v) or normalize(v) not in text for v in element.values):
            missing.append(element.label)
    return list(dict.fromkeys(missing))


__all__ = ["DECISION_KINDS", "content_missing", "html_text", "required_elements"]
