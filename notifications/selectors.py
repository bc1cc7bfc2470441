"""Reads shared by pages and the API."""

from functools import cache

from django.db import connection

from um_portal import prepared
from um_portal.roles import Role, user_role

from .access import letter_visible_to
from .models import Letter, Notification


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


def unread_count(*, user) -> int:
    """The user's unread notifications (the navigation's badge, on every page): one index
    probe of the user's notifications, the statement written once from the model (issue
    #13: compiling `.count()` cost a page more than running it)."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, _unread_count_sql(), [user.pk])
        return cursor.fetchone()[0]


@cache
def _unread_count_sql() -> str:
    meta = Notification._meta
    quote = connection.ops.quote_name
    return (
        f"SELECT COUNT(*) FROM {quote(meta.db_table)} WHERE {quote(meta.get_field('user').column)} = %s"  # noqa: S608 - names are the model's
        f" AND {quote(meta.get_field('read_at').column)} IS NULL"
    )
