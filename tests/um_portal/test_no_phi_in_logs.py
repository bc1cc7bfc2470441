"""Query strings (the eligibility API carries member number and date of birth in one) never
reach the logs; responses for signed-in users are not cached."""

import logging

import pytest
from django.conf import settings

from um_portal.log_filters import RedactQueryStrings


def _record(msg, *args):
    return logging.LogRecord("django.server", logging.INFO, __file__, 1, msg, args, None)


def test_query_strings_are_redacted_from_request_lines():
    record = _record(
        '"%s" %s %s', "GET /api/v1/members/?member_number=M100001&date_of_birth=1961-04-02 HTTP/1.1", 200, 5
    )
    RedactQueryStrings().filter(record)
    line = record.getMessage()
    assert "M100001" not in line and "1961-04-02" not in line
    assert line == '"GET /api/v1/members/?[redacted] HTTP/1.1" 200 5'


def test_messages_without_query_strings_are_untouched():
    record = _record("Forbidden: %s", "/audit/")
    RedactQueryStrings().filter(record)
    assert record.getMessage() == "Forbidden: /audit/"


def test_every_log_handler_redacts():
    handlers = settings.LOGGING["handlers"]
    assert all("redact_query_strings" in handler.get("filters", []) for handler in handlers.values())
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]
    root = logging.getLogger()
    assert any(isinstance(f, RedactQueryStrings) for h in root.handlers for f in h.filters)


@pytest.mark.django_db
def test_signed_in_pages_and_api_answers_are_not_cached(client, nurse):
    assert "Cache-Control" not in client.get("/healthz"), "public answers may be cached"
    client.force_login(nurse)
    assert client.get("/")["Cache-Control"] == "no-store, private"
    assert client.get("/api/schema/")["Cache-Control"] == "no-store, private"
