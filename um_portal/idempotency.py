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

from django.db import IntegrityError, transaction
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
        IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=timezone.now() - REPLAY_WINDOW).delete()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, path=path, fingerprint=fingerprint)
        except IntegrityError:
            record = IdempotencyKey.objects.get(user=user, key=key)
            if record.path != path or record.fingerprint != fingerprint:
                raise Conflict(
                    f"This {HEADER} was already used for a different request. Use a new key for a new request.",
                    code="idempotency_key_reused",
                ) from None
            if record.status_code is None:
                raise Conflict(
                    f"A request with this {HEADER} is still being processed. Retry in a moment.",
                    code="idempotency_in_progress",
                ) from None
            return record.status_code, record.response_body, True
        status, body = run()
        record.status_code = status
        record.response_body = json.loads(json.dumps(body, default=str))
        record.save(update_fields=["status_code", "response_body"])
    return status, body, False
