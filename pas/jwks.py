"""Checking a client's registered public keys (SMART Backend Services), with joserfc."""

from joserfc.errors import JoseError
from joserfc.jwk import KeySet


def jwks_check(jwks) -> str:
    """'' when `jwks` is a public key set this server can verify with, else the problem."""
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        return 'Give a JWK Set: {"keys": [...]}.'
    for key in jwks["keys"]:
        if not isinstance(key, dict) or not key.get("kid"):
            return "Every key needs a kid."
        if key.get("kty") not in ("RSA", "EC"):
            return "Keys are RSA (RS384) or EC (ES384)."
        if any(private in key for private in ("d", "p", "q")):
            return "Register the public key only (no private parameters)."
    try:
        KeySet.import_key_set(jwks)
    except (JoseError, ValueError, TypeError) as exc:
        return f"The key set cannot be read: {exc}."
    return ""
