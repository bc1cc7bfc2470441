"""Format checks shared by every app, so one rule is written once.

- Phone numbers: every phone column is `PHONE_MAX_LENGTH` long, and the validator allows
  no more (issue 12, item 8: a 21-character number passed the pattern and the 20-character
  column answered a 500).
- Numbers given as text (place of service, NPI, TIN, ZIP, codes): ASCII digits only.
  `str.isdigit()` and `[0-9]`-free patterns also accept full-width "２２", Arabic-Indic
  and other Unicode digits (issue 12, item 9).
"""

import re

from django.core.exceptions import ValidationError

# The phone columns (members, organizations, users, peer-to-peer talks, contact lines):
# E.164 allows 15 digits; 20 characters hold them with a "+" and separators.
PHONE_MAX_LENGTH = 20
# Digits with the usual separators: "800-810-4766", "(301) 960 1436", "+1 800 555 0100",
# and the relay service's "711".
PHONE_RE = re.compile(r"\+?[0-9(][0-9 ().-]{1,18}[0-9]", flags=re.ASCII)


def phone_is_valid(value: str, *, min_digits: int = 3) -> bool:
    value = value or ""
    return (
        len(value) <= PHONE_MAX_LENGTH
        and PHONE_RE.fullmatch(value) is not None
        and sum(c.isascii() and c.isdigit() for c in value) >= min_digits
    )


def is_ascii_digits(value: str, *, length: int | None = None) -> bool:
    """True when `value` is only the ASCII digits 0-9 (and exactly `length` of them, if given)."""
    value = value if isinstance(value, str) else ""
    return bool(value) and value.isascii() and value.isdigit() and (length is None or len(value) == length)


def validate_ascii_digits(value: str, *, length: int | None = None, what: str = "This code") -> None:
    if not is_ascii_digits(value, length=length):
        size = f"{length} " if length else ""
        raise ValidationError(f"{what} is {size}digits 0-9.", code="not_ascii_digits")
