"""Every id on every page is unique (issue 22, item 1).

A duplicate id is not cosmetic: `<label for=...>` and `aria-describedby` follow the first
element with that id, so ticking a label in one form ticked the box in another form of the
same page. The test settings add `DuplicateIdMiddleware`, which parses every HTML response
the suite renders (through the test client and the live server alike) and records the
duplicates; `tests/conftest.py` fails the test that rendered them.
"""

import threading
from collections import Counter
from html.parser import HTMLParser


class _IdCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids[value] += 1

    handle_startendtag = handle_starttag


def duplicate_ids(html: str) -> list[str]:
    """The ids used more than once in the page, in order of first use."""
    collector = _IdCollector()
    collector.feed(html)
    collector.close()
    return [value for value, count in collector.ids.items() if count > 1]


_lock = threading.Lock()
_found: list[str] = []


def found_take() -> list[str]:
    """The duplicates seen since the last call, and forget them."""
    with _lock:
        taken = list(_found)
        _found.clear()
    return taken


class DuplicateIdMiddleware:
    """Test settings only: record each HTML page's duplicate ids (never changes the answer)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and not getattr(response, "streaming", False):
            if hasattr(response, "render") and not response.is_rendered:
                return response
            duplicates = duplicate_ids(response.content.decode(response.charset or "utf-8", "replace"))
            if duplicates:
                with _lock:
                    _found.append(f"{request.method} {request.path} ({response.status_code}): {', '.join(duplicates)}")
        return response
