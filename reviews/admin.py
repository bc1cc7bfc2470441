from django.contrib import admin
from django.utils import timezone

from um_portal.admin import ReadOnlyAdmin
from um_portal.audit.admin import PhiReadLoggedAdmin

from .models import CaseAlert, Decision, PhysicianLicense, ReasonCatalogue, ReasonCode


@admin.register(PhysicianLicense)
class PhysicianLicenseAdmin(admin.ModelAdmin):
    list_display = ("physician", "state", "number", "expires_on", "board_certification")
    list_filter = ("state",)
    search_fields = ("physician__username", "number")
    list_select_related = ("physician",)


@admin.register(Decision)
class DecisionAdmin(PhiReadLoggedAdmin, ReadOnlyAdmin):
    """Decisions are made through the review services only (who may decide is a rule)."""

    phi_path = "case"
    list_display = ("case", "outcome", "basis", "decided_by", "decided_at", "signed_at")
    list_filter = ("outcome", "basis")
    list_select_related = ("case", "decided_by")


@admin.register(CaseAlert)
class CaseAlertAdmin(PhiReadLoggedAdmin, ReadOnlyAdmin):
    phi_path = "case"
    list_display = ("case", "threshold", "due_at", "raised_at", "notified")
    list_filter = ("threshold",)
    list_select_related = ("case",)


class ReasonCodeInline(admin.TabularInline):
    model = ReasonCode
    extra = 0
    fields = ("code", "x12_code", "kinds", "basis", "label", "member_text")

    def _frozen(self, obj) -> bool:
        # A version in effect is never edited (decisions cite its codes): add a new version.
        return obj is not None and obj.effective_from <= timezone.localdate()

    def has_add_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._frozen(obj) and super().has_delete_permission(request, obj)


@admin.register(ReasonCatalogue)
class ReasonCatalogueAdmin(admin.ModelAdmin):
    """Versions of the reason-code catalogue. A version's codes are editable until it takes
    effect; retire a version by its retired_on date (new decisions then refuse its codes)."""

    list_display = ("version", "effective_from", "retired_on")
    inlines = [ReasonCodeInline]
