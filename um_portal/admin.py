from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import TokenProxy

from .account_views import AdminLoginForm
from .api_tokens import api_token_revoke
from .audit.admin import PhiReadLoggedAdmin
from .mfa import mfa_devices_reset, mfa_enrolment_link_send, security_log
from .models import AccessLog, MFAEnrolmentLink, User

# Where a second factor is required, an account without one cannot sign in here either.
admin.site.login_form = AdminLoginForm

# django-otp's device admins show TOTP secrets (as a QR code) and recovery codes to
# administrators, who could then pass anyone's second factor. Administrators reset a
# user's devices with the user action below instead.
# DRF's token admin lists every token's key, with which an administrator could act as any
# provider system or user, past their second factor: revoke with the user action instead.
for _device_model in (TOTPDevice, StaticDevice, TokenProxy):
    try:
        admin.site.unregister(_device_model)
    except admin.exceptions.NotRegistered:
        pass


@admin.action(description="Unlock sign-in (clear failed attempts for these usernames)")
def unlock_login(modeladmin, request, queryset):
    cleared = sum(axes_reset(username=user.username) for user in queryset)
    security_log.warning("sign-in unlocked: user_ids=%s by user_id=%s", [u.pk for u in queryset], request.user.pk)
    messages.success(request, f"Unlocked {queryset.count()} user(s); {cleared} failed-attempt record(s) cleared.")


@admin.action(description="Reset two-step verification (lost phone: then send an enrolment link)")
def reset_mfa(modeladmin, request, queryset):
    for user in queryset:
        mfa_devices_reset(user=user, by=request.user)
    messages.success(
        request,
        f"Two-step verification reset for {queryset.count()} user(s). Staff cannot sign in until they enrol: "
        "send them an enrolment link (action \u201cSend a two-step enrolment link\u201d).",
    )


@admin.action(description="Send a two-step enrolment link (one-time, expiring)")
def send_mfa_enrolment_link(modeladmin, request, queryset):
    """Where a second factor is required, the only way to enrol one (issue 12, item 3). The
    link is e-mailed; to a user without an address it is shown here once, to hand over."""
    for user in queryset.order_by("pk"):
        link, url, emailed = mfa_enrolment_link_send(user=user, by=request.user)
        until = f"{timezone.localtime(link.expires_at):%Y-%m-%d %H:%M %Z}"
        if emailed:
            messages.success(request, f"Enrolment link for {user.username} e-mailed; it works once, until {until}.")
        else:
            messages.warning(
                request,
                f"{user.username} has no e-mail address: give them this link in person or by phone "
                f"(it works once, until {until}): {url}",
            )


@admin.action(description="Revoke API tokens (systems using them are refused at once)")
def revoke_api_tokens(modeladmin, request, queryset):
    revoked = sum(api_token_revoke(user=user, by=request.user) for user in queryset)
    messages.success(request, f"Revoked {revoked} API token(s) of {queryset.count()} user(s).")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    actions = [unlock_login, reset_mfa, send_mfa_enrolment_link, revoke_api_tokens]
    fieldsets = BaseUserAdmin.fieldsets + (("Portal", {"fields": ("organization", "credentials", "phone")}),)
    list_display = ("username", "first_name", "last_name", "organization", "is_active")
    list_filter = ("groups", "is_active", "organization")
    list_select_related = ("organization",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: viewable, never added, changed or deleted from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(PhiReadLoggedAdmin, ReadOnlyAdmin):
    phi_path = "member"
    list_display = ("at", "user", "object_kind", "object_id", "member", "how", "ip_address")
    list_filter = ("object_kind", "how")
    search_fields = ("object_id", "user__username", "member__member_number")
    list_select_related = ("user", "member")
    date_hierarchy = "at"


@admin.register(MFAEnrolmentLink)
class MFAEnrolmentLinkAdmin(ReadOnlyAdmin):
    """Who was sent an enrolment link, by whom, and whether it was used (never the link)."""

    list_display = ("user", "issued_by", "issued_at", "expires_at", "used_at", "revoked_at")
    list_select_related = ("user", "issued_by")
    fields = list_display
    search_fields = ("user__username",)
