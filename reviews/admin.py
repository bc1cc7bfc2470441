from django.contrib import admin

from um_portal.admin import ReadOnlyAdmin

from .models import CaseAlert, Decision, PhysicianLicense, TurnaroundPeriod, TurnaroundRule


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


class TurnaroundPeriodInline(admin.TabularInline):
    model = TurnaroundPeriod
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.in_effect

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(TurnaroundRule)
class TurnaroundRuleAdmin(admin.ModelAdmin):
    """UM administrators version the turnaround rules: a rule in effect is never changed
    (only ended); a change is a new version with a future effective date."""

    list_display = ("code", "name", "lines_of_business", "state", "effective_from", "effective_to", "extension_amount")
    list_filter = ("code", "state")
    inlines = [TurnaroundPeriodInline]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.in_effect


@admin.register(CaseAlert)
class CaseAlertAdmin(ReadOnlyAdmin):
    list_display = ("case", "threshold", "due_at", "raised_at", "notified")
    list_filter = ("threshold",)
    list_select_related = ("case",)
