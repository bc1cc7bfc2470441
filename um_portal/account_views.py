"""Account pages: second-factor enrolment and verification, recovery codes, the idle-session
keep-alive. Password change and reset are Django's own views (account_urls.py)."""

from datetime import timedelta

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from . import auth_backends
from .api_tokens import api_token_is_expired, api_token_last_used, api_token_revoke
from .exceptions import NotAllowed, NotFound
from .lockout import lockout_message
from .mfa import (
    mfa_enrolment_link_open,
    mfa_required_for,
    mfa_sign_in_check,
    otp_check,
    recovery_codes_generate,
    recovery_codes_left,
    totp_device_confirm,
    totp_device_start,
    totp_qr_svg,
    totp_secret_base32,
    user_has_mfa_device,
)
from .middleware import session_renew


class CodeForm(forms.Form):
    token = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class _EnrolmentRequiredMixin:
    """Where a second factor is required, an account without one cannot sign in: it enrols
    through an administrator's link first (um_portal.mfa.mfa_sign_in_check)."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        try:
            mfa_sign_in_check(user=user)
        except NotAllowed as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from None


class LoginForm(_EnrolmentRequiredMixin, AuthenticationForm):
    pass


class AdminLoginForm(_EnrolmentRequiredMixin, AdminAuthenticationForm):
    pass


class PasswordForm(forms.Form):
    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


ENROL_SESSION_KEY = "mfa_enrol"


@never_cache
def mfa_enrol(request, token):
    """The page an enrolment link opens: the account's password first, then the QR code and
    a code to confirm. The link is spent when the authenticator is confirmed; the user is
    then signed in with the new second factor."""
    try:
        link = mfa_enrolment_link_open(token=token)
    except NotFound as invalid:
        return render(request, "registration/mfa_enrol.html", {"invalid": invalid.message}, status=404)
    user = link.user
    state = request.session.get(ENROL_SESSION_KEY) or {}
    if state.get("link") != link.pk:
        form = PasswordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            # Through authenticate(): failures count toward the lockout like the login page's.
            proven = authenticate(request, username=user.get_username(), password=form.cleaned_data["password"])
            if proven is not None and proven.pk == user.pk:
                device = totp_device_start(user=user, enrolment_token=token)
                request.session[ENROL_SESSION_KEY] = {"link": link.pk, "device": device.pk}
                return redirect(request.path)
            if getattr(request, "axes_locked_out", False):
                form.add_error("password", lockout_message())
            else:
                form.add_error("password", "That password is not right.")
        return render(request, "registration/mfa_enrol.html", {"step": "password", "form": form, "who": user})
    device = TOTPDevice.objects.filter(pk=state.get("device"), user=user, confirmed=False).first()
    if device is None:
        request.session.pop(ENROL_SESSION_KEY, None)
        return redirect(request.path)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(user=user, device=device, token=form.cleaned_data["token"], enrolment_token=token)
        if codes is not None:
            request.session.pop(ENROL_SESSION_KEY, None)
            login(request, user, backend=auth_backends.PATH)
            device.refresh_from_db()
            django_otp.login(request, device)
            return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": reverse("home")})
        form.add_error("token", "That code is not right. Check the time on your phone and try the newest code.")
    return render(
        request,
        "registration/mfa_enrol.html",
        {
            "step": "code",
            "form": form,
            "who": user,
            "qr_svg": mark_safe(totp_qr_svg(device)),  # noqa: S308 - SVG generated by qrcode from our own URL
            "secret": totp_secret_base32(device),
        },
    )


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@never_cache
@login_required
def mfa_setup(request):
    """Enrol an authenticator: scan the QR code (or type the secret), confirm with a code,
    note the recovery codes. A user who already has one must verify before replacing it."""
    user = request.user
    if user_has_mfa_device(user) and not user.is_verified():
        return redirect(_with_next("mfa_verify", reverse("mfa_setup")))
    device = totp_device_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(user=user, device=device, token=form.cleaned_data["token"])
        if codes is not None:
            device.refresh_from_db()
            django_otp.login(request, device)
            return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        form.add_error("token", "That code is not right. Check the time on your phone and try the newest code.")
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "qr_svg": mark_safe(totp_qr_svg(device)),  # noqa: S308 - SVG generated by qrcode from our own URL
            "secret": totp_secret_base32(device),
            "already_enrolled": user_has_mfa_device(user),
            "required": mfa_required_for(user),
            "recovery_left": recovery_codes_left(user),
            "next": request.GET.get("next", ""),
        },
    )


@never_cache
@login_required
def mfa_verify(request):
    """Second step of signing in: a code from the authenticator or a recovery code."""
    user = request.user
    if not user_has_mfa_device(user):
        return redirect(_with_next("mfa_setup", _next_url(request)))
    if user.is_verified():
        return redirect(_next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = otp_check(user=user, token=form.cleaned_data["token"])
        if device is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            if device.name == "recovery":
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {recovery_codes_left(user)} left. "
                    "Generate new ones from the two-step verification page.",
                )
            return redirect(_next_url(request))
        form.add_error("token", "That code is not right, or too many tries: wait a few seconds and use a new code.")
    return render(request, "registration/mfa_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@login_required
@require_POST
def mfa_recovery_codes(request):
    """New recovery codes (the old ones stop working), for a verified session only."""
    if not request.user.is_verified():
        return redirect(_with_next("mfa_verify", reverse("mfa_setup")))
    codes = recovery_codes_generate(user=request.user)
    return render(request, "registration/mfa_recovery_codes.html", {"codes": codes, "next": reverse("home")})


@login_required
@require_POST
def keep_alive(request):
    """The idle-warning script's "stay signed in": renews the session now (other requests
    do at most every SESSION_RENEW_SECONDS); nothing else happens."""
    session_renew(request.session)
    return HttpResponse(status=204)


class PasswordChangeView(auth_views.PasswordChangeView):
    """A new password ends every session (Django's session hash) and every API token."""

    def form_valid(self, form):
        response = super().form_valid(form)
        api_token_revoke(user=form.user, by=form.user)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        api_token_revoke(user=form.user, by=form.user)
        return response


@never_cache
@login_required
def api_token(request):
    """The signed-in user's API token: when it was issued and last used, when it expires
    from idleness, and a button that revokes it. The key itself is never shown again."""
    if request.method == "POST":
        revoked = api_token_revoke(user=request.user, by=request.user)
        if revoked:
            messages.success(request, "Your API token was revoked: systems using it are refused from now on.")
        return redirect("api_token")
    token = Token.objects.select_related("activity").filter(user=request.user).first()
    if token is not None and api_token_is_expired(token):
        token = None
    last_used = api_token_last_used(token) if token is not None else None
    return render(
        request,
        "registration/api_token.html",
        {
            "token": token,
            "last_used": last_used,
            "expires": last_used + timedelta(days=settings.API_TOKEN_IDLE_DAYS) if last_used else None,
            "idle_days": settings.API_TOKEN_IDLE_DAYS,
        },
    )
