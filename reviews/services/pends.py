"""Pending a case for information and routing it to a physician."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import events
from cases.models import AuthorizationRequest, CaseStatus
from cases.services.workflow import case_status_set
from reviews.models import Pend, ReasonCode
from um_portal.exceptions import Conflict, ValidationFailed
from um_portal.models import User
from um_portal.roles import Perm, Role, user_role

from .common import case_for_action, require_open
from .reasons import reason_code_resolve


def case_pend_check(*, actor, case: AuthorizationRequest) -> None:
    """An open case the actor may work, not already pended (409)."""
    require_open(case, actor=actor)
    if case.status == CaseStatus.PENDED:
        raise Conflict(f"Case {case.reference} is already pended for information.", code="already_pended")


@transaction.atomic
def case_pend(
    *,
    case_id,
    actor,
    requested_information: str,
    respond_by: date,
    expected_version: int | None = None,
    reason_code: str | None = None,
) -> Pend:
    """Ask the provider for what is missing, by a date, citing a pend reason code. The
    information_requested event produces the request-for-information letter."""
    case = case_for_action(actor=actor, case_id=case_id, need=Perm.CASE_PEND, expected_version=expected_version)
    require_open(case, actor=actor)
    errors = {}
    requested_information = (requested_information or "").strip()
    if not requested_information:
        errors["requested_information"] = ["Say exactly what is missing."]
    if respond_by is None or respond_by < timezone.localdate():
        errors["respond_by"] = ["Give a respond-by date from today on."]
    if errors:
        raise ValidationFailed("The request for information is incomplete.", errors=errors)
    coded = reason_code_resolve(code=reason_code, kind=ReasonCode.Kind.PEND)
    case_pend_check(actor=actor, case=case)
    now = timezone.now()
    try:
        with transaction.atomic():
            pend = Pend.objects.create(
                case=case,
                requested_information=requested_information,
                respond_by=respond_by,
                requested_by=actor,
                requested_at=now,
                coded_reason=coded,
            )
    except IntegrityError:
        raise Conflict(f"Case {case.reference} already has an open request for information.") from None
    case_status_set(
        case=case,
        to_status=CaseStatus.PENDED,
        actor=actor,
        message="Pended for information.",
        data={"pend_id": pend.pk},
    )
    events.event_information_requested(case=case, actor=actor, pend=pend)
    return pend


def case_route_check(*, actor, case: AuthorizationRequest) -> None:
    """An open case the actor may work, not already with a physician (409)."""
    require_open(case, actor=actor)
    if case.status == CaseStatus.PHYSICIAN_REVIEW:
        raise Conflict(f"Case {case.reference} is already with a physician.", code="already_routed")


@transaction.atomic
def case_route_to_physician(
    *, case_id, actor, note: str, physician: User | None = None, expected_version: int | None = None
) -> AuthorizationRequest:
    """Send the case to physician review with a note (anything that may end in a
    medical-necessity denial or modification goes here)."""
    case = case_for_action(
        actor=actor, case_id=case_id, need=Perm.CASE_ROUTE_TO_PHYSICIAN, expected_version=expected_version
    )
    require_open(case, actor=actor)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("Say why the case needs a physician.", errors={"reason": ["This field is required."]})
    if physician is not None and user_role(physician) != Role.PHYSICIAN:
        raise ValidationFailed("Route to a physician reviewer.", errors={"physician": ["Not a physician."]})
    case_route_check(actor=actor, case=case)
    old_assignee = case.assigned_to
    case_status_set(
        case=case,
        to_status=CaseStatus.PHYSICIAN_REVIEW,
        actor=actor,
        message="Routed to physician review.",
        extra_fields={"assigned_to": physician},
    )
    if old_assignee != physician:
        events.event_assigned(case=case, actor=actor, old_assignee=old_assignee, new_assignee=physician)
    events.event_routed_to_physician(case=case, actor=actor, note=note)
    return case
