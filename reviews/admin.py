from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from um_portal.admin import ReadOnlyAdmin
from um_portal.admin_csv import CsvUploadAdmin
from um_portal.audit.admin import PhiReadLoggedAdmin
from um_portal.roles import Perm, user_can

from .models import (
    Authorization,
    AuthorizationLine,
    CaseAlert,
    ClinicalIntentRule,
    Decision,
    PhysicianLicense,
    ReasonCatalogue,
    ReasonCode,
    RedirectionOffer,
    ReferralReview,
)


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


class AuthorizationLineInline(admin.TabularInline):
    model = AuthorizationLine
    fields = ("line_number", "code", "start_date", "end_date", "approved_units", "units_used")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ClaimsImportForm(forms.Form):
    file = forms.FileField(
        label="Claims lines (CSV)",
        help_text="Columns: authorization_number, line, units, date (YYYY-MM-DD). All rows or none are recorded.",
    )


@admin.register(Authorization)
class AuthorizationAdmin(CsvUploadAdmin, PhiReadLoggedAdmin, ReadOnlyAdmin):
    """Authorizations come from decisions (issue 19, item 1); staff record units used by
    importing claims lines (action "Import claims lines (CSV)")."""

    phi_path = "case"
    list_display = ("number", "case", "valid_from", "valid_to", "created_at")
    list_select_related = ("case",)
    search_fields = ("number",)
    inlines = [AuthorizationLineInline]
    actions = ["claims_import_action"]

    # Recording units used is an administrator's job (claims data), not every staff member's.
    csv_upload_path = "import-claims/"
    csv_upload_name = "reviews_authorization_import_claims"
    csv_upload_form = ClaimsImportForm
    csv_upload_title = "Import claims lines"
    csv_upload_template = "admin/reviews/authorization_import.html"
    csv_upload_refusal = "Only UM administrators import claims lines."

    @admin.action(description="Import claims lines (CSV)")
    def claims_import_action(self, request, queryset):
        return self.csv_upload_redirect()

    def csv_upload_load(self, request, text: str):
        from .services.authorizations import authorization_units_import

        count = authorization_units_import(text=text, actor=request.user)
        self.message_user(request, f"{count} claims lines recorded.", messages.SUCCESS)
        return self.changelist_redirect()


@admin.register(ClinicalIntentRule)
class ClinicalIntentRuleAdmin(admin.ModelAdmin):
    """The clinical-intent mapping (issue 20): specialty, the diagnoses it treats, the service
    codes it performs. A mismatch is a question for the referral nurse, never a denial."""

    list_display = ("specialty_name", "specialty", "diagnosis_ranges", "service_family", "code_from", "code_to")
    list_filter = ("active",)
    search_fields = ("specialty", "specialty_name", "service_family")

    def has_change_permission(self, request, obj=None):
        return user_can(request.user, Perm.CONFIGURE) and super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        return user_can(request.user, Perm.CONFIGURE) and super().has_add_permission(request)


@admin.register(ReferralReview)
class ReferralReviewAdmin(PhiReadLoggedAdmin, ReadOnlyAdmin):
    """Written by the referral management services only."""

    phi_path = "case"
    list_display = ("case", "status", "network_status", "specialty_name", "approval_reason", "decided_at")
    list_filter = ("status", "approval_reason")
    list_select_related = ("case",)


@admin.register(RedirectionOffer)
class RedirectionOfferAdmin(PhiReadLoggedAdmin, ReadOnlyAdmin):
    phi_path = "case"
    list_display = ("case", "option_name", "status", "decline_reason", "offered_at", "responded_at")
    list_filter = ("status", "decline_reason")
    list_select_related = ("case",)
