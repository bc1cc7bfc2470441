"""Request parsers for every JSON endpoint (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES, and the
FHIR parser built on it): bad input answers 400, never a 500 (issue 12, item 8).

- Nesting is bounded. Python's decoder recurses once per level, so a body nested a
  thousand deep raised RecursionError (a 500); and anything that walks a parsed body
  (serializers, the idempotency fingerprint, JSON columns) recurses too. No request the
  portal accepts is anywhere near the limit: a Da Vinci PAS Bundle, the deepest, is
  about ten levels (Bundle.entry.resource.item.productOrService.coding).
- No string (key or value) may hold a NUL character: PostgreSQL text cannot store one,
  and a NUL reaching a query or an insert raised ValueError (a 500).
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32
NUL = "\x00"


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_too_deep_message(), code="too_deep") from None
        json_check(data)
        return data


def _too_deep_message() -> str:
    return f"JSON parse error - the body is nested more than {MAX_JSON_DEPTH} levels deep."


def json_check(data, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Refuse (ParseError) a decoded JSON value nested deeper than `max_depth` or holding a
    NUL character in any key or string. Iterative: it never recurses itself."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                raise ParseError("JSON parse error - a string holds a NUL character (\\u0000).", code="nul_character")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > max_depth:
            raise ParseError(_too_deep_message(), code="too_deep")
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        else:
            stack.extend((item, depth + 1) for item in value)
