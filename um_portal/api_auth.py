"""API authentication and "who am I" (API.md: token auth)."""

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .api import error_responses
from .api_tokens import ExpiringTokenAuthentication, api_token_issue, api_token_revoke
from .exceptions import NotAllowed
from .lockout import login_failures_reset
from .mfa import mfa_token_check
from .roles import user_role


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="Current authenticator code: required for staff, and for provider users who enrolled "
        "or whose organization requires two-step verification.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class _CredentialsOnly(BaseAuthentication):
    """The token endpoint reads credentials from the body, not from headers; it still
    names the scheme so refusals are 401 (with WWW-Authenticate), not 403."""

    def authenticate(self, request):
        return None

    def authenticate_header(self, request):
        return "Token"


class TokenView(APIView):
    """Exchange a username and password for an API token (`Authorization: Token <token>`).
    It expires after API_TOKEN_IDLE_DAYS without use (401 `token_expired`); DELETE revokes it."""

    authentication_classes = [_CredentialsOnly]
    permission_classes = [AllowAny]

    @extend_schema(
        request=TokenRequestSerializer, responses={200: TokenSerializer, **error_responses(400, 401, 429)}, auth=[]
    )
    def post(self, request):
        given = TokenRequestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        username, password = given.validated_data["username"], given.validated_data["password"]
        user = authenticate(request._request, username=username, password=password)
        if user is None:
            if getattr(request._request, "axes_locked_out", False):
                raise AuthenticationFailed(
                    "This account is locked after too many failed logins. Try again later or call the plan.",
                    code="account_locked",
                )
            candidate = get_user_model().objects.filter(username=username).first()
            if candidate is not None and not candidate.is_active and candidate.check_password(password):
                raise AuthenticationFailed(
                    "This account is inactive. Ask your organization's administrator or the plan to reactivate it.",
                    code="account_inactive",
                )
            raise AuthenticationFailed("Wrong username or password.", code="invalid_credentials")
        # Second factor (um_portal.mfa): staff and enrolled providers send a current code.
        # Refused like wrong credentials (401, API.md), with a code saying what is missing.
        try:
            mfa_token_check(user=user, otp=given.validated_data.get("otp"))
        except NotAllowed as refusal:
            raise AuthenticationFailed(refusal.message, code=refusal.code) from None
        # A token is a successful sign-in: this username's failures are forgotten, and only
        # this username's (um_portal.lockout).
        if settings.AXES_ENABLED:
            login_failures_reset(username=user.get_username())
        return Response({"token": api_token_issue(user=user).key})

    @extend_schema(request=None, responses={204: None, **error_responses(401, 429)})
    def delete(self, request):
        """Revoke the caller's API token (the one used for this call, or the signed-in
        user's). Signing out of the web session does not revoke it; this does."""
        api_token_revoke(user=request.user, by=request.user)
        return Response(status=204)

    def get_authenticators(self):
        # Issuing reads credentials from the body; revoking needs the caller authenticated.
        if getattr(self.request, "method", None) == "DELETE":
            return [ExpiringTokenAuthentication(), SessionAuthentication()]
        return super().get_authenticators()

    def get_permissions(self):
        if getattr(self.request, "method", None) == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()


class OrganizationBriefSerializer(serializers.Serializer):
    name = serializers.CharField()
    npis = serializers.ListField(child=serializers.CharField())


class LicenseBriefSerializer(serializers.Serializer):
    state = serializers.CharField()
    expires = serializers.DateField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    organization = OrganizationBriefSerializer(allow_null=True)
    licenses = LicenseBriefSerializer(many=True)


class MeView(APIView):
    """Who is calling: name, role, organization and its NPIs, licenses."""

    @extend_schema(responses={200: MeSerializer, **error_responses(401, 429)})
    def get(self, request):
        user = request.user
        organization = None
        if user.organization_id:
            org = user.organization
            npis = [org.npi, *org.practitioners.order_by("npi").values_list("npi", flat=True)]
            organization = {"name": org.name, "npis": npis}
        licenses = [{"state": lic.state, "expires": lic.expires_on} for lic in user.licenses.all()]
        data = {
            "username": user.username,
            "name": user.get_full_name() or user.username,
            "role": user_role(user),
            "organization": organization,
            "licenses": licenses,
        }
        return Response(MeSerializer(data).data)
