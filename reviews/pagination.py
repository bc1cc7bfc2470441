"""Keyset (cursor) pagination over ascending ordering fields, e.g. (decision_due_at,
urgency, id): each page is one indexed range scan, whatever the page number (STYLE.md:
no COUNT(*), no OFFSET). Shared by the queue pages and the queue API."""

import base64
import json
from dataclasses import dataclass

from django.db.models import Q

from um_portal.exceptions import ValidationFailed


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def _encode(values: list, direction: str) -> str:
    raw = json.dumps({"v": [str(v) for v in values], "d": direction}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, width: int) -> tuple[list[str], str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        values, direction = data["v"], data["d"]
        if len(values) != width or direction not in ("n", "p") or not all(isinstance(v, str) for v in values):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        raise ValidationFailed("That page link is not valid.", errors={"cursor": ["Invalid cursor."]}) from None
    return values, direction


def _after(fields: tuple[str, ...], values: list[str], op: str) -> Q:
    """(f1, f2, ...) > (v1, v2, ...) lexicographically, as OR of equal prefixes (op gt or lt)."""
    condition = Q()
    for i, field in enumerate(fields):
        term = Q(**{f"{field}__{op}": values[i]})
        for j in range(i):
            term &= Q(**{fields[j]: values[j]})
        condition |= term
    return condition


def keyset_first_page(rows: list, *, limit: int, key) -> Page:
    """The first page (no cursor) from the first `limit + 1` rows in order: `limit` of
    them and, if there were more, the cursor of the next page. `key(row)` as in keyset_page."""
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows=rows, next_cursor=_encode(key(rows[-1]), "n") if more and rows else None, previous_cursor=None)


def keyset_page(queryset, *, fields: tuple[str, ...], cursor: str | None, limit: int, key=None) -> Page:
    """One page of `queryset` ordered by `fields` (ascending). `key(row)` gives a row's values
    for `fields` (default: attributes of the same names)."""
    key = key or (lambda row: [getattr(row, f.replace("__", ".")) for f in fields])
    if not cursor:
        return keyset_first_page(list(queryset.order_by(*fields)[: limit + 1]), limit=limit, key=key)
    values, direction = _decode(cursor, len(fields))
    if direction == "n":
        qs = queryset.order_by(*fields).filter(_after(fields, values, "gt"))
        rows = list(qs[: limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = _encode(key(rows[-1]), "n") if more and rows else None
        previous_cursor = _encode(key(rows[0]), "p") if rows else None
    else:
        qs = queryset.order_by(*[f"-{f}" for f in fields]).filter(_after(fields, values, "lt"))
        rows = list(qs[: limit + 1])
        more = len(rows) > limit
        rows = list(reversed(rows[:limit]))
        previous_cursor = _encode(key(rows[0]), "p") if more and rows else None
        next_cursor = _encode(key(rows[-1]), "n") if rows else None
    return Page(rows=rows, next_cursor=next_cursor, previous_cursor=previous_cursor)
