"""Idempotency-Key for creating POSTs (API.md): the same key from the same user within
24 hours answers the first response again and creates nothing.

The key row is inserted in the same transaction as the work. A second request with the
same key blocks on the unique index until the first commits, then replays its answer;
if the first failed (rolled back), the second simply runs. Failed requests are therefore
not remembered: the caller may fix the input and retry with the same key.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from .exceptions import Conflict, ValidationFailed
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_MAX = 255
# API.md: "within 24 hours".
REPLAY_WINDOW = timedelta(hours=24)


class Replay:
    """A remembered answer: status code and body."""

    def __init__(self, status_code: int, body):
        self.status_code = status_code
        self.body = body


def _fingerprint(path: str, payload) -> str:
    try:
        body = json.dumps(payload, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = ""
    return hashlib.sha256(f"{path}\n{body}".encode()).hexdigest()


def idempotent_run(
    *, user, key: str | None, path: str, payload, run: Callable[[], tuple[int, object]]
) -> tuple[int, object, bool]:
    """Run `run()` once per (user, key). Returns (status_code, body, replayed).

    `run` returns (status_code, JSON-serializable body); a DomainError raised by it rolls
    everything back, including the key."""
    if not key:
        status, body = run()
        return status, body, False
    if len(key) > KEY_MAX:
        raise ValidationFailed(f"The {HEADER} header is at most {KEY_MAX} characters.", errors={HEADER: ["Too long."]})
    fingerprint = _fingerprint(path, payload)
    with transaction.atomic():
        record = _claim(user=user, key=key, path=path, fingerprint=fingerprint)
        if not record.claimed:
            if record.path != path or record.fingerprint != fingerprint:
                raise Conflict(
                    f"This {HEADER} was already used for a different request. Use a new key for a new request.",
                    code="idempotency_key_reused",
                )
            if record.status_code is None:
                raise Conflict(
                    f"A request with this {HEADER} is still being processed. Retry in a moment.",
                    code="idempotency_in_progress",
                )
            return record.status_code, record.response_body, True
        status, body = run()
        IdempotencyKey.objects.filter(pk=record.pk).update(
            status_code=status, response_body=json.loads(json.dumps(body, default=str))
        )
    return status, body, False


def _claim(*, user, key: str, path: str, fingerprint: str) -> IdempotencyKey:
    """The key's row, inserted for this request (`claimed`), or the one already there.

    One statement where a delete of the expired row and a savepoint around the insert took
    four (issue #13: a submit with a key cost five statements more than one without): the
    insert replaces a row older than the replay window and leaves a live one alone. Like a
    plain insert, it waits on the unique index for a concurrent request with the same key
    to commit or roll back. The live row is read only when there is one."""
    now = timezone.now()
    q = connection.ops.quote_name
    table = q(IdempotencyKey._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    columns = ", ".join(q(c) for c in ("user_id", "key", "path", "fingerprint", "created_at"))
    replaced = ", ".join(f"{q(c)} = EXCLUDED.{q(c)}" for c in ("path", "fingerprint", "created_at"))
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608 - names are the model's
        f"ON CONFLICT ({q('user_id')}, {q('key')}) DO UPDATE SET {replaced}, "
        f"{q('status_code')} = NULL, {q('response_body')} = NULL "
        f"WHERE {table}.{q('created_at')} < %s RETURNING {q('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, key, path, fingerprint, adapt(now), adapt(now - REPLAY_WINDOW)])
        row = cursor.fetchone()
    if row is not None:
        record = IdempotencyKey(pk=row[0], user=user, key=key, path=path, fingerprint=fingerprint, created_at=now)
        record.claimed = True
        return record
    record = IdempotencyKey.objects.get(user=user, key=key)
    record.claimed = False
    return record
