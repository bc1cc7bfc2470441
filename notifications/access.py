"""The one access helper for letters.

Through the case access helper first (a stranger gets 404 as for a missing letter). Staff
may read every issued letter of a case they see; a provider office only the letters
addressed to its own organization. Reads nothing but rows; never writes."""

import uuid

from cases.access import case_for_user
from cases.models import AuthorizationRequest
from um_portal.exceptions import NotFound
from um_portal.roles import Role, user_role

from .models import Letter


def letter_visible_to(user, letter: Letter) -> bool:
    if user_role(user) != Role.PROVIDER:
        return True
    case = letter.case
    if letter.recipient == Letter.Recipient.REQUESTING_PROVIDER:
        return user.organization_id == case.requesting_organization_id
    if letter.recipient == Letter.Recipient.SERVICING_PROVIDER:
        return user.organization_id == case.servicing_organization_id
    return False


def letter_for_user(user, letter_id) -> Letter:
    """An issued letter the user may read, or NotFound."""
    try:
        pk = uuid.UUID(str(letter_id))
    except (TypeError, ValueError, AttributeError):
        raise NotFound("No such letter.") from None
    letter = Letter.objects.filter(pk=pk, status=Letter.Status.ISSUED).select_related("case__member").first()
    if letter is None:
        raise NotFound("No such letter.")
    letter.case = case_for_user(user, letter.case_id, queryset=AuthorizationRequest.objects.select_related("member"))
    if not letter_visible_to(user, letter):
        raise NotFound("No such letter.")
    return letter
