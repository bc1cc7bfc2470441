"""Django's ModelBackend, with a signed-in session's user read with their groups.

Every signed-in page reads the session's user (`ModelBackend.get_user`), then the user's
groups for their role (`um_portal.roles.user_role`): two queries the ORM compiled on each
page. On PostgreSQL this reads both in one statement written once per process and prepared
once per connection, the groups kept on the user as `user_role` keeps them (issue #13),
and with them which granted permissions the user holds (`um_portal.roles.user_can` then
asks no query of its own, um_portal.user_rows.role_columns). Authentication, permissions
and the session's checks (its password hash) are Django's.
"""

import functools

from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError
from django.db import connection

from . import prepared
from .user_rows import RowParts, role_columns, role_remember

# The path a session signed in before this backend names (sessions keep their backend's
# path); um_portal.sessions reads it as this one's, so nobody is signed out by the change.
DJANGO_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PATH = "um_portal.auth_backends.ModelBackend"


class ModelBackend(backends.ModelBackend):
    def get_user(self, user_id):
        if connection.vendor != "postgresql":  # SQLite (`make run`): user_role reads the groups
            return super().get_user(user_id)
        statement = _user_statement()
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:  # not an id: no such user
            return None
        with connection.cursor() as cursor:
            prepared.execute(cursor, statement.sql, [pk])
            row = cursor.fetchone()
        if row is None:
            return None
        (user,), offset = statement.row.objects(row)
        role_remember(user, row, offset)
        return user if self.user_can_authenticate(user) else None


class _UserStatement:
    """The user's row, their groups' ids and names and their granted permissions, by the
    user's id."""

    def __init__(self):
        qn = connection.ops.quote_name
        meta = get_user_model()._meta
        self.row = RowParts(("u", get_user_model()))
        columns = self.row.columns + role_columns(f"u.{qn(meta.pk.column)}")
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {qn(meta.db_table)} u "  # noqa: S608 - names are the model's; the id is a parameter
            f"WHERE u.{qn(meta.pk.column)} = %s"
        )


@functools.cache
def _user_statement() -> _UserStatement:
    return _UserStatement()
