from axes.utils import reset as axes_reset
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .mfa import mfa_devices_reset, security_log
from .models import AccessLog, User

# django-otp's device admins show TOTP secrets (as a QR code) and recovery codes to
# administrators, who could then pass anyone's second factor. Administrators reset a
# user's devices with the user action below instead.
for _device_model in (TOTPDevice, StaticDevice):
    try:
        admin.site.unregister(_device_model)
    except admin.exceptions.NotRegistered:
        pass


@admin.action(description="Unlock sign-in (clear failed attempts for these usernames)")
def unlock_login(modeladmin, request, queryset):
    cleared = sum(axes_reset(username=user.username) for user in queryset)
    security_log.warning("sign-in unlocked: user_ids=%s by user_id=%s", [u.pk for u in queryset], request.user.pk)
    messages.success(request, f"Unlocked {queryset.count()} user(s); {cleared} failed-attempt record(s) cleared.")


@admin.action(description="Reset two-step verification (lost phone: enrol again at next sign-in)")
def reset_mfa(modeladmin, request, queryset):
    for user in queryset:
        mfa_devices_reset(user=user, by=request.user)
    messages.success(request, f"Two-step verification reset for {queryset.count()} user(s).")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    actions = [unlock_login, reset_mfa]
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
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "user", "object_kind", "object_id", "member", "how", "ip_address")
    list_filter = ("object_kind", "how")
    search_fields = ("object_id", "user__username", "member__member_number")
    list_select_related = ("user", "member")
    date_hierarchy = "at"
