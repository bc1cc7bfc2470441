from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AccessLog, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
