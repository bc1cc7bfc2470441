"""What a letter says: the template context for one letter, built from its case and event.

Dates and numbers are formatted here, once, so the required-content check can look for
exactly the text the template prints.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from cases.models import AuthorizationRequest, CaseEvent, LineOfBusiness
from criteria.models import CriteriaVersion

from ..models import AppealWindow, Letter
from . import phones
from .texts import (
    CA_CONTINUITY_CONDITIONS,
    CA_GRIEVANCE_IMR_TEXT,
    COC_PROVIDER_OBLIGATION_TEXT,
    CONTINUED_COVERAGE_TEXTS,
    EXPEDITED_APPEAL_TEXT,
    IN_NETWORK_COST_TEXT,
    LANGUAGE_ASSISTANCE_TEXT,
    MA_EXPEDITED_GRIEVANCE_TEXT,
    OUT_OF_NETWORK_COST_TEXT,
)

K = Letter.Kind
DECISION_KINDS = frozenset({K.APPROVAL, K.DENIAL, K.PARTIAL_APPROVAL, K.OUT_OF_NETWORK_APPROVAL})
ADVERSE_KINDS = frozenset({K.DENIAL, K.PARTIAL_APPROVAL})
# Appeal windows if an administrator has configured none (RULES.md section 4): 60 calendar
# days for Medicare Advantage (42 CFR 422.582), 60 for Medicaid/CHIP (42 CFR 438.402),
# 180 for commercial plans (45 CFR 147.136).
DEFAULT_APPEAL_DAYS = {
    LineOfBusiness.MEDICARE_ADVANTAGE: 60,
    LineOfBusiness.MEDICAID: 60,
    LineOfBusiness.CHIP: 60,
    LineOfBusiness.COMMERCIAL: 180,
}


def fmt_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return f"{value:%B} {value.day}, {value.year}"


def fmt_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    hour = local.hour % 12 or 12
    return f"{fmt_date(local)} at {hour}:{local:%M} {'a.m.' if local.hour < 12 else 'p.m.'}"


@dataclass(frozen=True)
class Party:
    name: str
    address: str


def line_of_business(case: AuthorizationRequest) -> str:
    return case.coverage.line_of_business if case.coverage_id else ""


def governing_state(case: AuthorizationRequest) -> str:
    return case.coverage.state if case.coverage_id else case.member.state


def is_california(case: AuthorizationRequest) -> bool:
    return governing_state(case) == "CA"


def appeal_days_for(*, line_of_business: str, on: date) -> int:
    window = (
        AppealWindow.objects.filter(line_of_business=line_of_business, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if window is not None:
        return window.days
    return DEFAULT_APPEAL_DAYS.get(line_of_business, DEFAULT_APPEAL_DAYS[LineOfBusiness.COMMERCIAL])


def recipient_party(letter: Letter) -> Party:
    case = letter.case
    if letter.recipient == Letter.Recipient.MEMBER:
        m = case.member
        lines = [m.name, m.address_line1, m.address_line2, f"{m.city}, {m.state} {m.postal_code}"]
        return Party(m.name, "\n".join(x for x in lines if x))
    org = (
        case.requesting_organization
        if letter.recipient == Letter.Recipient.REQUESTING_PROVIDER
        else case.servicing_organization
    )
    practitioner = (
        case.requesting_practitioner
        if letter.recipient == Letter.Recipient.REQUESTING_PROVIDER
        else case.servicing_practitioner
    )
    name = f"{practitioner.name}, {org.name}" if practitioner else org.name
    lines = [practitioner.name if practitioner else "", org.name, org.address]
    if org.fax:
        lines.append(f"Fax {org.fax}")
    return Party(name, "\n".join(x for x in lines if x))


def _service_rows(case: AuthorizationRequest) -> list[dict]:
    rows = []
    for line in case.lines.all():
        plain = line.description or f"{case.get_service_category_display()} service"
        approved = line.approved_units if line.approved_units is not None else None
        rows.append(
            {
                "description": plain,
                "code": f"{line.code_system} {line.code}",
                "units": line.units,
                "approved_units": "" if approved is None else str(approved),
                # Printed and checked as words: a bare "1" would be found anywhere in a letter.
                "approved_text": "" if approved is None else f"{approved} of {line.units} {_units_word(line.units)}",
                "outcome": line.get_outcome_display() if line.outcome else "",
                "start_date": fmt_date(line.start_date),
                "end_date": fmt_date(line.end_date),
                "dates": f"{fmt_date(line.start_date)} to {fmt_date(line.end_date)}",
                "is_approved": line.outcome in ("approved", "partially_approved") and bool(approved),
            }
        )
    return rows


def _units_word(n: int) -> str:
    return "unit" if n == 1 else "units"


def _criteria_rows(versions) -> list[dict]:
    return [
        {
            "name": v.criteria_set.name,
            "source": v.criteria_set.source,
            "version": v.version,
            "label": _criteria_label(v),
        }
        for v in versions
    ]


def _criteria_label(version: CriteriaVersion) -> str:
    source = "the plan's own criteria" if version.criteria_set.source == "internal" else version.criteria_set.source
    return f"{version.criteria_set.name}, version {version.version} ({source})"


def criteria_applying(case: AuthorizationRequest, *, on: date) -> list[CriteriaVersion]:
    """The criteria versions in force on `on` for the case's codes or service category."""
    from django.db.models import Q

    codes = [line.code for line in case.lines.all()]
    return list(
        CriteriaVersion.objects.filter(
            Q(criteria_set__codes__code__in=codes) | Q(criteria_set__codes__service_category=case.service_category),
            effective_from__lte=on,
        )
        .exclude(effective_to__lt=on)
        .select_related("criteria_set")
        .distinct()
        .order_by("criteria_set__name", "-effective_from")
    )


def _common(letter: Letter, event: CaseEvent | None, now: datetime) -> dict:
    case = letter.case
    lob = line_of_business(case)
    party = recipient_party(letter)
    member = case.member
    numbers = phones.letter_phones(line_of_business=lob)
    return {
        "plan_name": settings.PLAN_NAME,
        "letter_date": fmt_date(now),
        "reference": case.reference,
        "kind": letter.kind,
        "kind_label": letter.get_kind_display(),
        "to_member": letter.recipient == Letter.Recipient.MEMBER,
        "recipient_name": party.name,
        "recipient_address_lines": party.address.split("\n"),
        "member_name": member.name,
        "member_number": member.member_number,
        "member_date_of_birth": fmt_date(member.date_of_birth),
        "plan": case.coverage.plan_name if case.coverage_id else "",
        "requesting_provider": (
            f"{case.requesting_practitioner.name}, {case.requesting_organization.name}"
            if case.requesting_practitioner_id
            else case.requesting_organization.name
        ),
        "servicing_provider": (
            f"{case.servicing_practitioner.name}, {case.servicing_organization.name}"
            if case.servicing_practitioner_id
            else case.servicing_organization.name
        ),
        "services": _service_rows(case),
        "received_on": fmt_date(case.received_at),
        "is_expedited": case.urgency == "expedited",
        "is_california": is_california(case),
        "is_medicare_advantage": lob == LineOfBusiness.MEDICARE_ADVANTAGE,
        "member_services_phone": numbers["member_services"],
        "tty": numbers["tty"],
        "language_assistance": LANGUAGE_ASSISTANCE_TEXT.format(tty=numbers["tty"]),
        "criteria_copy_phone": numbers["criteria_copy"],
        "um_physician_phone": numbers["um_physician"],
        "um_phone": numbers["um"],
        # The fax a request for information asks the provider to send records to (issue 22,
        # item 8), from the phone-line configuration ("Referral fax").
        "fax_number": numbers["fax"],
    }


def _decision_context(case, event, now) -> dict:
    from reviews.models import Decision
    from reviews.selectors_worksheet import decision_findings

    decision = Decision.objects.select_related("decided_by", "coded_reason").get(pk=event.data["decision_id"])
    criteria = decision.criteria.select_related("criteria_set").order_by("criteria_set__name")
    lob = line_of_business(case)
    days = appeal_days_for(line_of_business=lob, on=timezone.localdate(decision.decided_at))
    reviewer = decision.decided_by
    findings = decision_findings(decision)
    return {
        "outcome": decision.get_outcome_display(),
        "basis": decision.get_basis_display() if decision.basis else "",
        "reason": (decision.reason or "").strip(),
        # The coded reason's plain-language text for members (reviews' reason-code catalogue).
        "reason_code_text": decision.coded_reason.member_text if decision.coded_reason_id else "",
        # From the decider's worksheet, frozen with the decision (issue 16).
        "unmet_criteria": findings.unmet,
        "missing_documentation": findings.missing,
        "decided_on": fmt_date(decision.decided_at),
        "reviewer_name": reviewer.get_full_name().strip(),
        "reviewer_credentials": (reviewer.credentials or "").strip(),
        "criteria": _criteria_rows(criteria),
        "appeal_days": str(days),
        "appeal_deadline": fmt_date(timezone.localdate(decision.decided_at) + timedelta(days=days)),
        "expedited_appeal_text": EXPEDITED_APPEAL_TEXT,
        "ca_grievance_text": CA_GRIEVANCE_IMR_TEXT if is_california(case) else "",
        # A concurrent review (more days for a member in the hospital): the right to
        # continued coverage while an expedited appeal is pending, where the rule gives it.
        "continued_coverage_text": (CONTINUED_COVERAGE_TEXTS.get(lob, "") if case.review_type == "concurrent" else ""),
    }


def _out_of_network_context(case, event, now) -> dict:
    from reviews.models import ReferralReview

    review = ReferralReview.objects.filter(pk=(event.data or {}).get("referral_review_id")).first()
    return {
        "out_of_network_reason": review.get_approval_reason_display().lower() if review else "",
        "out_of_network_cost_text": OUT_OF_NETWORK_COST_TEXT,
    }


def _redirection_context(case, event, now) -> dict:
    from reviews.models import RedirectionOffer

    offer = RedirectionOffer.objects.filter(pk=(event.data or {}).get("redirection_id")).first()
    return {
        "previous_provider": offer.previous_servicing_name if offer else "",
        "new_provider": offer.option_name if offer else "",
        "new_provider_detail": offer.option_detail if offer else "",
        "redirected_on": fmt_date(offer.responded_at) if offer else "",
        "redirection_cost_text": IN_NETWORK_COST_TEXT,
    }


def _pend_context(case, event, now) -> dict:
    from reviews.models import Pend

    pend = Pend.objects.get(pk=event.data["pend_id"])
    return {
        "requested_information": (pend.requested_information or "").strip(),
        "respond_by": fmt_date(pend.respond_by),
        "criteria": _criteria_rows(criteria_applying(case, on=timezone.localdate(pend.requested_at))),
    }


def _extension_context(case, event, now) -> dict:
    from reviews.models import Extension

    extension = Extension.objects.get(pk=event.data["extension_id"])
    ma = line_of_business(case) == LineOfBusiness.MEDICARE_ADVANTAGE
    return {
        "extension_reason": (extension.reason or "").strip(),
        "extension_ground": extension.get_ground_display(),
        "old_due": fmt_datetime(extension.old_due_at),
        "new_due": fmt_datetime(extension.new_due_at),
        "expedited_grievance_text": MA_EXPEDITED_GRIEVANCE_TEXT if ma else "",
    }


def _appeal_context(case, event, now) -> dict:
    from reviews.models import Appeal

    appeal = Appeal.objects.select_related("decided_by", "coded_reason").get(pk=event.data["appeal_id"])
    reviewer = appeal.decided_by
    criteria = appeal.criteria.select_related("criteria_set").order_by("criteria_set__name")
    upheld = appeal.outcome == Appeal.Outcome.UPHELD
    return {
        "appeal_outcome": appeal.get_outcome_display(),
        "appeal_upheld": upheld,
        "reason": (appeal.outcome_reason or "").strip(),
        "reason_code_text": appeal.coded_reason.member_text if appeal.coded_reason_id else "",
        "appeal_filed_on": fmt_date(appeal.filed_at),
        "decided_on": fmt_date(appeal.decided_at),
        "reviewer_name": reviewer.get_full_name().strip() if reviewer else "",
        "reviewer_credentials": (reviewer.credentials or "").strip() if reviewer else "",
        "criteria": _criteria_rows(criteria),
        "ca_grievance_text": CA_GRIEVANCE_IMR_TEXT if is_california(case) and upheld else "",
    }


def _continuation_context(case, event, now, letter) -> dict:
    from ..models import ContinuationCase, ContinuationRun

    link = ContinuationCase.objects.select_related("run", "stay").filter(case=case).first()
    run: ContinuationRun | None = link.run if link else letter.continuation_run
    line = case.lines.order_by("line_number").first()
    agreement = run.agreement if run else None
    ctx = {
        "ended_organization": agreement.organization.name if agreement else "",
        "agreement_end_date": fmt_date(run.end_date) if run else "",
        "agreement_end_reason": _end_reason_words(run.end_reason) if run else "",
        "covered_through": fmt_date(line.end_date) if line and link else "",
        "admitted_on": fmt_date(link.stay.admitted_at) if link else "",
        # The continuation case's authorization number (issue 19, item 1), for claims.
        "authorization_reference": _authorization_number(case) if link else "",
        "ca_continuity_conditions": CA_CONTINUITY_CONDITIONS if is_california(case) else [],
        "provider_obligation_text": COC_PROVIDER_OBLIGATION_TEXT,
    }
    return ctx


def _authorization_number(case) -> str:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return case.authorization.number
    except ObjectDoesNotExist:
        return case.reference


def _end_reason_words(reason: str) -> str:
    return {
        "expiration": "the plan's agreement with this provider expired",
        "termination": "the plan's agreement with this provider ended",
        "insolvency": "this provider became insolvent",
        "cessation_of_business": "this provider stopped doing business",
    }.get(reason, "the plan's agreement with this provider ended")


def letter_context(letter: Letter, *, now: datetime | None = None) -> dict:
    """Everything the letter's template may print."""
    now = now or timezone.now()
    case = AuthorizationRequest.objects.select_related(
        "member",
        "coverage",
        "requesting_organization",
        "servicing_organization",
        "requesting_practitioner",
        "servicing_practitioner",
    ).get(pk=letter.case_id)
    letter.case = case
    event = letter.event
    ctx = _common(letter, event, now)
    if letter.kind in DECISION_KINDS:
        ctx.update(_decision_context(case, event, now))
        if letter.kind == K.OUT_OF_NETWORK_APPROVAL:
            ctx.update(_out_of_network_context(case, event, now))
    elif letter.kind == K.REFERRAL_REDIRECTED:
        ctx.update(_redirection_context(case, event, now))
    elif letter.kind == K.REQUEST_FOR_INFORMATION:
        ctx.update(_pend_context(case, event, now))
    elif letter.kind == K.EXTENSION:
        ctx.update(_extension_context(case, event, now))
    elif letter.kind == K.APPEAL_DECISION:
        ctx.update(_appeal_context(case, event, now))
    else:
        ctx.update(_continuation_context(case, event, now, letter))
    return ctx
