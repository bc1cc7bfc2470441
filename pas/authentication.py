"""`Authorization: Bearer <token>` from the SMART token endpoint (pas.smart), for /fhir/,
beside the portal's own `Token` and session authentication."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .smart import access_token_user


class SmartBearerAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send one bearer token: Authorization: Bearer <token>.")
        found = access_token_user(header[1].decode(errors="replace"))
        if found is None:
            raise exceptions.AuthenticationFailed(
                "The bearer token is unknown or expired: ask the token endpoint again."
            )
        return found

    def authenticate_header(self, request):
        return 'Bearer realm="fhir"'


class SmartBearerScheme(OpenApiAuthenticationExtension):
    """The bearer scheme in the OpenAPI schema (drf-spectacular)."""

    target_class = "pas.authentication.SmartBearerAuthentication"
    name = "smartBackendServices"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "SMART Backend Services token (/auth/smart/token)"}
