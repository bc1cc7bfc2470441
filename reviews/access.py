"""The one access helper for medical-necessity work: "a physician, with a license active in
the member's state" (RULES.md section 3).

Every door asks it: the API and the pages before reading the body (`case_for_physician`,
the same 403 whatever was posted), the decision and appeal services under the row lock
before they sign (`physician_license_for`). A nurse reads one plain refusal everywhere.
"""

from datetime import date

from django.utils import timezone

from cases.access import case_for_user
from um_portal.exceptions import NotAllowed
from um_portal.roles import Perm, user_can

from .models import PhysicianLicense

MEDICAL_NECESSITY_REFUSED = (
    "Only a physician may deny or partially approve on medical necessity. Route the case to a physician instead."
)


def case_for_physician(user, case_id, *, need: Perm = Perm.CASE_DENY_MEDICAL_NECESSITY, **kwargs):
    """The case, for a user whose role may do `need` (a physician-only permission): 404 where
    the case is not theirs to see, 403 `physician_required` for any other role. Keyword
    arguments go to `case_for_user` (lock, queryset)."""
    if not user_can(user, need):
        case_for_user(user, case_id)  # a stranger still reads 404
        raise NotAllowed(MEDICAL_NECESSITY_REFUSED, code="physician_required")
    return case_for_user(user, case_id, need=need, **kwargs)


def physician_license_for(user, case, *, on: date | None = None) -> PhysicianLicense:
    """The physician's license active in the member's state on `on` (default today):
    403 `physician_required` for a role that makes no medical-necessity decisions,
    403 `license_required` for a physician without one."""
    if not user_can(user, Perm.CASE_DENY_MEDICAL_NECESSITY):
        raise NotAllowed(MEDICAL_NECESSITY_REFUSED, code="physician_required")
    state = case.member.state
    on = on or timezone.localdate()
    for license_ in PhysicianLicense.objects.filter(physician=user, state=state).order_by("-expires_on"):
        if license_.is_active_on(on):
            return license_
    raise NotAllowed(
        f"You hold no license active in {state} on {on:%Y-%m-%d}, the member's state. A medical-necessity "
        f"decision for this member must be made by a physician licensed in {state}: route the case to one.",
        code="license_required",
    )
