"""A follow-up fax for an existing case (issue 18): a nurse attaches it from the fax inbox.
The fax becomes the case's document (`cases.services.fax.fax_receipt_attach`) and, when the
case has an open request for information, answers it the way the office's answer on the
portal does (`pend_answer_record`): the case back to review, its clocks recomputed from
when the fax was received."""

from dataclasses import dataclass

from django.db import transaction

from cases.access import case_for_user
from cases.models import Attachment, AuthorizationRequest, FaxReceipt
from cases.services.fax import fax_for_user, fax_receipt_attach
from cases.services.workflow import case_lock
from um_portal import timefmt
from um_portal.exceptions import NotFound, ValidationFailed

from ..models import Pend
from .provider_requests import pend_answer_record


@dataclass
class FollowUp:
    fax: FaxReceipt
    case: AuthorizationRequest
    attachment: Attachment
    pend: Pend | None


def _case_by_reference(user, reference: str) -> AuthorizationRequest:
    reference = (reference or "").strip().upper()
    if not reference:
        message = "Give the case reference the follow-up fax is for (e.g. UM-2026-000123)."
        raise ValidationFailed(message, errors={"reference": [message]})
    case_id = AuthorizationRequest.objects.filter(reference=reference).values_list("pk", flat=True).first()
    if case_id is None:
        raise NotFound(f"No case {reference}: check the reference on the fax.")
    return case_for_user(user, case_id)  # 404 alike for a case the user may not see


@transaction.atomic
def fax_follow_up_attach(*, user, fax_id, reference: str) -> FollowUp:
    """Attach the fax to the case named by `reference`; answer its open pend if any."""
    fax_for_user(user, fax_id)  # 404 before anything else for someone who sees no faxes
    case = case_lock(case_id=_case_by_reference(user, reference).pk)
    fax, attachment = fax_receipt_attach(user=user, fax_id=fax_id, case=case)
    pend = Pend.objects.select_for_update().filter(case=case, responded_at__isnull=True).first()
    if pend is not None:
        # The information arrived with the fax (not before the request for it was made).
        arrived = max(fax.received_at, pend.requested_at)
        pend = pend_answer_record(
            locked=case,
            pend=pend,
            user=user,
            text=f"Answered by fax received {timefmt.when(fax.received_at)}.",
            attachments=[attachment],
            at=arrived,
        )
    return FollowUp(fax=fax, case=case, attachment=attachment, pend=pend)
