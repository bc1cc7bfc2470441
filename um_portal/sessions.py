"""Django's database sessions (SESSION_ENGINE), the session's row read by one statement
written once from the model and, on PostgreSQL, prepared once per connection.

Every signed-in page reads its session first; the ORM built and compiled that read (a
`get` by key and expiry) on each of them, and PostgreSQL planned it (issue #13). Writing,
expiry and the table are Django's own: a session made by Django's engine is read here and
the other way round."""

from functools import cache

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from um_portal import auth_backends, prepared


class SessionStore(db.SessionStore):
    def load(self):
        data = super().load()
        # Signed in before the portal's own ModelBackend (um_portal.auth_backends): the same
        # backend by its new path, so such a session stays signed in.
        if data.get(BACKEND_SESSION_KEY) == auth_backends.DJANGO_MODEL_BACKEND:
            data[BACKEND_SESSION_KEY] = auth_backends.PATH
        return data

    def _get_session_from_db(self):
        if self.session_key is None:  # Django's engine found no such row either
            return None
        model = self.model
        using = router.db_for_read(model)
        sql, names = _read_statement(model, using)
        with connections[using].cursor() as cursor:
            prepared.execute(cursor, sql, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model.from_db(using, names, row)


@cache
def _read_statement(model, using: str) -> tuple[str, list[str]]:
    """The SELECT of a session by key, unexpired, written from the model's metadata for the
    database `using`."""
    quote = connections[using].ops.quote_name
    meta = model._meta
    fields = list(meta.concrete_fields)
    key, expiry = meta.get_field("session_key").column, meta.get_field("expire_date").column
    sql = (
        f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(meta.db_table)}"  # noqa: S608 - the model's names
        f" WHERE {quote(key)} = %s AND {quote(expiry)} > %s"
    )
    return sql, [f.attname for f in fields]
