from django.contrib import admin

from um_portal.admin import ReadOnlyAdmin

from .models import CaseAlert, Decision, PhysicianLicense


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


@admin.register(CaseAlert)
class CaseAlertAdmin(ReadOnlyAdmin):
    list_display = ("case", "threshold", "due_at", "raised_at", "notified")
    list_filter = ("threshold",)
    list_select_related = ("case",)
