"""Domain errors raised by services. Every door (page, API, admin, task) maps them the
same way: the HTTP status and machine code live here, the sentence is for a person."""


class DomainError(Exception):
    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = errors or {}


class ValidationFailed(DomainError):
    """Bad input: 400."""

    status_code = 400
    code = "invalid"


class NotAllowed(DomainError):
    """Authenticated, may see the object, but may not do this: 403."""

    status_code = 403
    code = "permission_denied"


class NotFound(DomainError):
    """Does not exist, or is not yours: the two are indistinguishable. 404."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The object is not in a state that allows this, or someone changed it first: 409."""

    status_code = 409
    code = "conflict"


class InvalidTransition(Conflict):
    code = "invalid_transition"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "too_large"


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"


class ServiceUnavailable(DomainError):
    """A part the rule depends on is down, so the service refuses rather than guess: 503."""

    status_code = 503
    code = "service_unavailable"
