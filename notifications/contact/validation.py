"""Rules a phone-line configuration must keep (RULES.md section 6). Each raises
`ValidationFailed` with a sentence an administrator can act on; services call them before
writing, and the models' `clean()` calls them so the admin refuses the same things. Pure:
no queries, so the models can call them without the two depending on each other."""

from collections.abc import Iterable
from datetime import time

from um_portal.exceptions import ValidationFailed
from um_portal.validators import phone_is_valid

from .choices import InquiryKind


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def intervals_validate(*, intervals: Iterable[tuple[time, time]], label: str = "") -> None:
    """Every interval ends after it starts, and no two intervals of one day overlap."""
    prefix = f"{label}: " if label else ""
    ordered = sorted(intervals)
    for opens, closes in ordered:
        if closes <= opens:
            raise ValidationFailed(
                f"{prefix}the interval {_hhmm(opens)}–{_hhmm(closes)} ends before it starts.",
                errors={"hours": [f"{_hhmm(opens)}–{_hhmm(closes)} ends before it starts."]},
            )
    for (o1, c1), (o2, c2) in zip(ordered, ordered[1:], strict=False):
        if o2 < c1:
            message = f"{_hhmm(o1)}–{_hhmm(c1)} overlaps {_hhmm(o2)}–{_hhmm(c2)}."
            raise ValidationFailed(f"{prefix}{message}", errors={"hours": [message]})


def line_fallback_validate(*, line, fallback, fallbacks: dict, names: dict) -> None:
    """Following fallbacks from `line` must end, never come back to a line already seen.
    `fallbacks` and `names` map every saved line's pk to its fallback's pk and its name
    (`ContactLine.fallback_graph()`)."""
    if fallback is None:
        return
    fallbacks = dict(fallbacks)
    if line.pk is not None:
        fallbacks[line.pk] = fallback.pk
    path = [line.pk]
    current = fallback.pk
    while current is not None:
        if current in path:
            chain = " → ".join(names.get(pk, line.name) if pk != line.pk else line.name for pk in [*path, current])
            message = f"Fallback loop: {chain}. A line cannot fall back, directly or not, on itself."
            raise ValidationFailed(message, errors={"fallback": [message]})
        path.append(current)
        current = fallbacks.get(current)


def inquiries_served_validate(*, unserved: Iterable[str]) -> None:
    """Every inquiry kind keeps a line that answers it."""
    missing = [InquiryKind(kind).label for kind in sorted(unserved)]
    if missing:
        message = (
            f"No line would answer: {', '.join(missing)}. "
            "Pick another line for these inquiries first (choosing them on that line moves them there)."
        )
        raise ValidationFailed(message, errors={"inquiries": [message]})


def phone_numbers_validate(**numbers: str) -> None:
    """Each given number (phone=, fax=, tty=...) is empty or looks like a phone number."""
    errors = {
        field: [f"“{value}” is not a phone number (digits, spaces, dashes, parentheses)."]
        for field, value in numbers.items()
        if value and not phone_is_valid(value)
    }
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors=errors)
