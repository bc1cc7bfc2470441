"""The client's address, for lockout (django-axes) and the access log.

Configured explicitly, never guessed: with TRUSTED_PROXY_COUNT = 0 (no proxy) it is
REMOTE_ADDR. Behind N reverse proxies that each append to X-Forwarded-For, the client is
the N-th address from the right: everything left of it was written by the client and can
be forged. A wrong count locks everyone out (all requests look like the proxy) or nobody
(an attacker rotates a forged header), see STYLE.md's pitfalls.
"""

from django.conf import settings


def client_ip(request) -> str | None:
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Fewer hops than trusted proxies: the request did not come through them.
        return remote
    return forwarded[-proxies]
