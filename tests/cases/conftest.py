"""Helpers for the provider-side tests: API payloads, documents, cases in a given state."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import CaseStatus
from cases.services.workflow import case_status_set
from reviews.models import Decision, Pend

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64


def pdf_upload(name: str = "notes.pdf", content: bytes = PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def payload(member, surgeon, ortho):
    """A valid API submission for `member` by `ortho` (requester `surgeon`, servicer ortho)."""

    def _payload(**overrides):
        start = timezone.localdate() + timedelta(days=20)
        data = {
            "member_number": member.member_number,
            "member_date_of_birth": member.date_of_birth.isoformat(),
            "requesting_provider_npi": surgeon.npi,
            "servicing_provider_npi": ortho.npi,
            "service_category": "outpatient_procedure",
            "review_type": "prospective",
            "urgency": "standard",
            "expedited_reason": "",
            "diagnosis_codes": ["M17.11"],
            "lines": [
                {
                    "code_system": "CPT",
                    "code": "27447",
                    "units": 1,
                    "start_date": start.isoformat(),
                    "end_date": start.isoformat(),
                }
            ],
            "clinical_summary": "Severe osteoarthritis, failed conservative care.",
            "place_of_service": "22",
        }
        data.update(overrides)
        return data

    return _payload


@pytest.fixture
def pended(nurse):
    """Put a case in `pended` with an open request for information."""

    def _pend(case):
        pend = Pend.objects.create(
            case=case,
            requested_information="Send the last two clinic notes and knee X-rays.",
            respond_by=timezone.localdate() + timedelta(days=5),
            requested_by=nurse,
            requested_at=timezone.now(),
        )
        case_status_set(case=case, to_status=CaseStatus.PENDED, actor=nurse)
        return pend

    return _pend


@pytest.fixture
def decided(nurse):
    """Record a current decision with `outcome` on a case (what the review helper's service does)."""

    def _decide(case, outcome=Decision.Outcome.DENIED, basis=Decision.Basis.BENEFIT, criteria=()):
        decision = Decision.objects.create(
            case=case,
            outcome=outcome,
            basis=basis if outcome != Decision.Outcome.APPROVED else "",
            reason="Not a covered benefit under the member's plan.",
            decided_by=nurse,
            decided_at=timezone.now(),
        )
        decision.criteria.set(criteria)
        case_status_set(case=case, to_status=outcome, actor=nurse, extra_fields={"decided_at": decision.decided_at})
        return decision

    return _decide
