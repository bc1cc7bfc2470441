"""Logging filter: no query strings in log lines. API.md's eligibility check carries a member
number and date of birth in the query string, and a log is no place for PHI."""

import logging
import re

# A path followed by a query string, as request lines and Django's messages print them.
_QUERY = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def redact_query_strings(text: str) -> str:
    return _QUERY.sub(r"\1?[redacted]", text)


class RedactQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_query_strings(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
