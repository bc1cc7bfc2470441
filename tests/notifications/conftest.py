"""Fixtures for letters: criteria, decisions, pends, extensions and appeals written the way
the review services write them (rows + the case event the letters are generated from)."""

import io
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from cases import events
from cases.models import ServiceLine
from cases.services.workflow import case_status_set
from criteria.models import CriteriaCode, CriteriaSet, CriteriaVersion
from reviews.models import Appeal, Decision, Extension, Pend, ReasonCode, Worksheet, WorksheetAnswer
from tests.factories import CoverageFactory, MemberFactory

# The shipped reason codes the review services would require (reviews.models_reasons).
DECISION_CODES = {"medical_necessity": "MN01", "benefit": "BN01", "administrative": "AD01"}


def reason_code(code: str) -> ReasonCode:
    return ReasonCode.objects.get(catalogue__version="2026.1", code=code)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def squash(text: str) -> str:
    """Text with all whitespace removed: PDF extraction breaks lines anywhere."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def tka_criteria(db):
    criteria_set = CriteriaSet.objects.create(name="Total knee arthroplasty", source="internal")
    CriteriaCode.objects.create(criteria_set=criteria_set, code_system="CPT", code="27447")
    return CriteriaVersion.objects.create(
        criteria_set=criteria_set,
        version="2026.3",
        effective_from=date(2026, 1, 1),
        text="Twelve weeks of therapy.",
        indications=["Twelve weeks of physical therapy did not help", "X-rays show severe arthritis"],
    )


@pytest.fixture
def ma_member(db):
    member = MemberFactory(first_name="Bernard", last_name="Quill", member_number="M100002")
    CoverageFactory(member=member, line_of_business="medicare_advantage", plan_name="Test Medicare Advantage HMO")
    return member


@pytest.fixture
def ca_member(db):
    member = MemberFactory(
        first_name="Elena",
        last_name="Vasquez",
        member_number="M100005",
        state="CA",
        city="Sacramento",
        postal_code="95814",
    )
    CoverageFactory(member=member, state="CA", plan_name="Test California HMO")
    return member


@pytest.fixture
def decide(physician, tka_criteria):
    """decide(case, outcome, reason=..., basis=...) -> (decision, event)."""

    def _decide(
        case, outcome, *, reason="", basis="medical_necessity", reviewer=None, criteria=True, finding="not_met"
    ):
        reviewer = reviewer or physician
        now = timezone.now()
        license_ = reviewer.licenses.first()
        if outcome != "approved":
            case_status_set(case=case, to_status="physician_review", actor=reviewer)
        decision = Decision.objects.create(
            case=case,
            outcome=outcome,
            basis=basis if outcome != "approved" else "",
            reason=reason,
            decided_by=reviewer,
            decided_at=now,
            license=license_ if basis == "medical_necessity" else None,
            signed_at=now if basis == "medical_necessity" else None,
            coded_reason=None if outcome == "approved" else reason_code(DECISION_CODES[basis]),
        )
        if criteria:
            decision.criteria.add(tka_criteria)
        if outcome != "approved" and basis == "medical_necessity":
            # The physician's worksheet, frozen with the decision, as the decision service does.
            sheet = Worksheet.objects.create(case=case, reviewer=reviewer, reviewer_role="physician", updated_at=now)
            WorksheetAnswer.objects.create(
                worksheet=sheet, criteria_version=tka_criteria, indication_index=0,
                indication=tka_criteria.indications[0], answer=finding, evidence_note="4 weeks of PT in the notes.",
            )  # fmt: skip
            Worksheet.objects.filter(pk=sheet.pk).update(decision=decision, frozen_at=now)
        for line in case.lines.all():
            if outcome == "approved":
                line.approved_units, line.outcome = line.units, ServiceLine.Outcome.APPROVED
            elif outcome == "denied":
                line.approved_units, line.outcome = 0, ServiceLine.Outcome.DENIED
            else:
                line.approved_units, line.outcome = max(1, line.units // 2), ServiceLine.Outcome.PARTIALLY_APPROVED
            line.save(update_fields=["approved_units", "outcome"])
        case_status_set(case=case, to_status=outcome, actor=reviewer, extra_fields={"decided_at": now})
        return decision, events.event_decision_recorded(case=case, actor=reviewer, decision=decision)

    return _decide


@pytest.fixture
def pend_case(nurse, tka_criteria):
    def _pend(case, *, text="The last 3 months of physical therapy notes."):
        pend = Pend.objects.create(
            case=case,
            requested_information=text,
            respond_by=timezone.localdate() + timedelta(days=5),
            requested_by=nurse,
            requested_at=timezone.now(),
        )
        case_status_set(case=case, to_status="pended", actor=nurse)
        return pend, events.event_information_requested(case=case, actor=nurse, pend=pend)

    return _pend


@pytest.fixture
def extend_case(nurse):
    def _extend(case, *, reason="We asked the surgeon's office for imaging results that we need to decide."):
        new_due = case.decision_due_at + timedelta(days=14)
        extension = Extension.objects.create(
            case=case,
            ground="outside_information",
            reason=reason,
            rule="cms_ma",
            old_due_at=case.decision_due_at,
            new_due_at=new_due,
            granted_by=nurse,
            granted_at=timezone.now(),
        )
        return extension, events.event_extended(case=case, actor=nurse, extension=extension)

    return _extend


@pytest.fixture
def appeal_decide(physician2, tka_criteria):
    def _appeal(case, decision, *, outcome="upheld", reason="The records still show 4 weeks of therapy, not 12."):
        now = timezone.now()
        appeal = Appeal.objects.create(
            case=case,
            decision_appealed=decision,
            reason="Please reconsider.",
            filed_by=physician2,
            filed_at=now - timedelta(days=2),
            due_at=now + timedelta(days=28),
            status="decided",
            outcome=outcome,
            outcome_reason=reason,
            decided_by=physician2,
            decided_at=now,
            coded_reason=None if outcome == "overturned" else reason_code("AP01"),
        )
        appeal.criteria.add(tka_criteria)
        return appeal, events.event_appeal_decided(case=case, actor=physician2, appeal=appeal)

    return _appeal
