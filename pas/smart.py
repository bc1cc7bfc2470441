"""SMART Backend Services (HL7 SMART App Launch 2, "Backend Services"): a provider
organization's system, registered by an administrator with its public keys, gets a short
access token for /fhir/ by OAuth2 client credentials, proving itself with a JWT it signs
(`client_assertion`, RS384 or ES384). The JOSE work is joserfc's (pinned in
requirements.txt); the rules of the profile are here:

- the assertion's `iss` and `sub` are the client id, `aud` is this token endpoint, `exp` is
  at most five minutes ahead, and its `jti` is accepted once;
- the key is the client's, chosen by `kid`; only RS384 and ES384 are accepted;
- the token lives five minutes, is stored as its SHA-256 only, and acts as the
  organization user the administrator chose (that user's role and access apply).
"""

import hashlib
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from .models import SmartAccessToken, SmartAssertionUse, SmartClient
from .outcomes import FhirError

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ["RS384", "ES384"]
# SMART Backend Services: "the exp value SHALL be no more than five minutes in the future";
# the access token's lifetime "SHOULD NOT exceed five minutes".
ASSERTION_MAX_SECONDS = 300
TOKEN_SECONDS = 300
SCOPES = ("system/Claim.c", "system/Claim.r", "system/Subscription.crud", "system/Claim.write", "system/Claim.read")
DEFAULT_SCOPE = "system/Claim.c system/Claim.r system/Subscription.crud"


class SmartError(Exception):
    """An OAuth2 error response (RFC 6749 section 5.2)."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, form, token_url: str) -> dict:
    """The token response for a client-credentials request, or SmartError."""
    if form.get("grant_type") != "client_credentials":
        raise SmartError("unsupported_grant_type", "grant_type must be client_credentials.")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise SmartError("invalid_request", f"client_assertion_type must be {ASSERTION_TYPE}.")
    assertion = form.get("client_assertion") or ""
    client_id = _unverified_issuer(assertion)
    client = SmartClient.objects.select_related("acts_as").filter(client_id=client_id, active=True).first()
    if client is None:
        raise SmartError("invalid_client", "Unknown or inactive client.", status=401)
    try:
        token = jwt.decode(assertion, KeySet.import_key_set(client.jwks), algorithms=ALGORITHMS)
    except (JoseError, ValueError) as exc:
        raise SmartError("invalid_client", f"The client assertion does not verify: {exc}.", status=401) from None
    claims = token.claims
    now = timezone.now().timestamp()
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    problems = [
        "iss and sub must be the client id" if not (claims.get("iss") == claims.get("sub") == client.client_id) else "",
        f"aud must be {token_url}" if token_url not in audiences else "",
        "exp is missing or past" if not isinstance(claims.get("exp"), int | float) or claims["exp"] <= now else "",
        "exp is more than five minutes ahead"
        if isinstance(claims.get("exp"), int | float) and claims["exp"] > now + ASSERTION_MAX_SECONDS + 30
        else "",
        "jti is missing" if not claims.get("jti") else "",
    ]
    problems = [p for p in problems if p]
    if problems:
        raise SmartError("invalid_client", "The client assertion is refused: " + "; ".join(problems) + ".", status=401)
    requested = (form.get("scope") or DEFAULT_SCOPE).split()
    granted = [scope for scope in requested if scope in SCOPES]
    if not granted:
        raise SmartError("invalid_scope", f"Ask for one or more of: {', '.join(SCOPES)}.")
    access = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(seconds=TOKEN_SECONDS)
    try:
        with transaction.atomic():
            SmartAssertionUse.objects.create(
                client=client, jti=str(claims["jti"])[:200], expires_at=timezone.now() + timedelta(seconds=600)
            )
            SmartAccessToken.objects.create(
                client=client, token_sha256=_sha256(access), scope=" ".join(granted), expires_at=expires_at
            )
    except IntegrityError:
        raise SmartError("invalid_client", "This client assertion (jti) was already used.", status=401) from None
    return {"access_token": access, "token_type": "bearer", "expires_in": TOKEN_SECONDS, "scope": " ".join(granted)}


def _unverified_issuer(assertion: str) -> str:
    """The `iss` of a compact JWT before verification: only to find whose keys verify it."""
    import base64
    import json

    try:
        payload = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, UnicodeDecodeError):
        raise SmartError("invalid_client", "client_assertion is not a signed JWT.", status=401) from None
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    if not isinstance(issuer, str) or not issuer:
        raise SmartError("invalid_client", "The client assertion names no issuer (iss).", status=401)
    return issuer


def access_token_user(token: str):
    """(user, token row) for a live access token, or None."""
    row = (
        SmartAccessToken.objects.select_related("client__acts_as")
        .filter(token_sha256=_sha256(token), expires_at__gt=timezone.now(), client__active=True)
        .first()
    )
    if row is None:
        return None
    return row.client.acts_as, row


def smart_scope_check(*, token, allowed: tuple[str, ...]) -> None:
    """A SMART bearer token (`request.auth` is its row) acts only within the scopes it was
    granted: one of `allowed` must be among them. Other authentication (the portal's own
    token or session) carries the user's role alone. Raises FhirError 403."""
    if not isinstance(token, SmartAccessToken):
        return
    granted = set(token.scope.split())
    if not granted.intersection(allowed):
        wanted = " or ".join(allowed) or "no scope this server grants"
        raise FhirError(
            f"This token's scopes ({token.scope}) do not allow this request: it needs {wanted}.",
            code="forbidden",
            status=403,
        )
