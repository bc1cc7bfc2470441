"""Reads shared by pages and the API."""

from um_portal.roles import Role, user_role

from .access import letter_visible_to
from .models import Letter


def case_letters(*, user, case) -> list[Letter]:
    """The case's letters this user may see: staff see every letter with its status (held
    ones with what is missing); providers see the issued letters addressed to them."""
    qs = Letter.objects.filter(case=case).select_related("template").order_by("created_at", "id")
    if user_role(user) == Role.PROVIDER:
        qs = qs.filter(status=Letter.Status.ISSUED).exclude(recipient=Letter.Recipient.MEMBER)
        letters = list(qs)
        for letter in letters:
            letter.case = case
        return [x for x in letters if letter_visible_to(user, x)]
    return list(qs)
