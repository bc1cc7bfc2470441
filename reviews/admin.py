from django.contrib import admin

from um_portal.admin import ReadOnlyAdmin

from .models import Decision, PhysicianLicense


@admin.register(PhysicianLicense)
class PhysicianLicenseAdmin(admin.ModelAdmin):
    list_display = ("physician", "state", "number", "expires_on", "board_certification")
    list_filter = ("state",)
    search_fields = ("physician__username", "number")
    list_select_related = ("physician",)


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    """Decisions are made through the review services only (who may decide is a rule)."""

    list_display = ("case", "outcome", "basis", "decided_by", "decided_at", "signed_at")
    list_filter = ("outcome", "basis")
    list_select_related = ("case", "decided_by")
