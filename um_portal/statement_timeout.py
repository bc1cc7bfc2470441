"""The web statement timeout (issue #13, item 4): set once per connection, by the libpq
`options` of the web processes' connections, so it costs no statement per request."""


def database_options_with_timeout(database: dict, *, seconds: float) -> dict:
    """`database["OPTIONS"]` with `statement_timeout` added to any libpq options already
    there (PostgreSQL only; `seconds` <= 0 leaves them as they are)."""
    options = dict(database.get("OPTIONS") or {})
    if seconds <= 0 or "postgresql" not in database.get("ENGINE", ""):
        return options
    setting = f"-c statement_timeout={round(seconds * 1000)}"
    options["options"] = f"{options['options']} {setting}" if options.get("options") else setting
    return options


def is_statement_timeout(exception) -> bool:
    """The database cancelled the statement (statement_timeout, SQLSTATE 57014)."""
    from django.db import OperationalError

    cause = getattr(exception, "__cause__", None)
    return isinstance(exception, OperationalError) and getattr(cause, "pgcode", None) == "57014"
