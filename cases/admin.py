from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.urls import reverse
from guardian.admin import GuardedModelAdmin

from um_portal.admin import ReadOnlyAdmin
from um_portal.audit.admin import PhiReadLoggedAdmin

from .admin_directory import (
    OrganizationNetworkPeriodInline,
    PractitionerNetworkPeriodInline,
    PractitionerSiteInline,
)
from .models import (
    Attachment,
    AuthorizationRequest,
    CaseEvent,
    Coverage,
    Diagnosis,
    InpatientStay,
    LengthOfStayNorm,
    LineOfBusiness,
    Member,
    PlanContract,
    Practitioner,
    ProviderAgreement,
    ProviderOrganization,
    ServiceLine,
    TurnaroundPeriod,
    TurnaroundRule,
)


class CoverageInline(admin.TabularInline):
    model = Coverage
    extra = 0


@admin.register(Member)
class MemberAdmin(PhiReadLoggedAdmin, admin.ModelAdmin):
    list_display = ("member_number", "last_name", "first_name", "date_of_birth", "state")
    search_fields = ("member_number", "last_name", "first_name")
    list_filter = ("state",)
    inlines = [CoverageInline]


@admin.register(Coverage)
class CoverageAdmin(PhiReadLoggedAdmin, admin.ModelAdmin):
    phi_path = "member"
    list_display = ("member", "plan_name", "line_of_business", "state", "effective_date", "end_date")
    list_filter = ("line_of_business", "state", "contract")
    search_fields = ("member__member_number", "member__last_name")
    list_select_related = ("member",)
    autocomplete_fields = ("member",)


@admin.register(PlanContract)
class PlanContractAdmin(admin.ModelAdmin):
    """MA contracts and Medicaid/CHIP/exchange plans: the public metrics are per contract."""

    list_display = ("number", "name", "program")
    list_filter = ("program",)
    search_fields = ("number", "name")


class PractitionerInline(admin.TabularInline):
    model = Practitioner
    extra = 0


class AgreementInline(admin.TabularInline):
    model = ProviderAgreement
    extra = 0
    # Ending an agreement starts continuation of care: done on the agreement's own page.
    readonly_fields = ("end_date", "end_reason")
    show_change_link = True


@admin.register(ProviderOrganization)
class ProviderOrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "npi", "tin", "state", "mfa_required", "fax_only")
    list_filter = ("kind", "state", "mfa_required", "fax_only")
    search_fields = ("name", "npi", "tin")
    readonly_fields = ("access_group",)
    inlines = [PractitionerInline, AgreementInline, OrganizationNetworkPeriodInline]


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ("npi", "last_name", "first_name", "specialty", "organization")
    search_fields = ("npi", "last_name")
    list_select_related = ("organization",)
    filter_horizontal = ("specialties",)
    inlines = [PractitionerNetworkPeriodInline, PractitionerSiteInline]


@admin.register(ProviderAgreement)
class ProviderAgreementAdmin(admin.ModelAdmin):
    list_display = ("organization", "effective_date", "end_date", "end_reason")
    list_filter = ("end_reason",)
    list_select_related = ("organization",)

    def save_model(self, request, obj, form, change):
        # An agreement's end goes through the service that starts continuation of care.
        ending = {"end_date", "end_reason"} & set(form.changed_data)
        if not (change and ending and obj.end_date):
            return super().save_model(request, obj, form, change)
        from notifications.services.continuation import agreement_end_record

        other = [f for f in form.changed_data if f not in ("end_date", "end_reason")]
        if other:
            obj.save(update_fields=other)
        agreement_end_record(agreement_id=obj.pk, end_date=obj.end_date, end_reason=obj.end_reason, actor=request.user)


@admin.register(InpatientStay)
class InpatientStayAdmin(PhiReadLoggedAdmin, admin.ModelAdmin):
    phi_path = "member"
    list_display = ("member", "facility", "admitted_at", "discharged_at", "authorized_through", "next_review_on")
    list_select_related = ("member", "facility")
    autocomplete_fields = ("member",)
    # Days, reviews and discharge move only through the concurrent review services
    # (cases.services.stays, reviews.services.stays): shown here, never edited.
    readonly_fields = (
        "case",
        "authorized_days",
        "authorized_through",
        "next_review_on",
        "los_norm",
        "open_review",
        "discharge_planning_notes",
        "discharge_disposition",
        "version",
    )


@admin.register(LengthOfStayNorm)
class LengthOfStayNormAdmin(admin.ModelAdmin):
    """The expected-length-of-stay table. Shipped rows are synthetic: replace them with the
    plan's licensed GMLOS table (add rows with a newer effective date)."""

    list_display = ("grouping", "code", "description", "geometric_mean_days", "effective_from")
    list_filter = ("grouping", "effective_from")
    search_fields = ("code", "description")


class DiagnosisInline(admin.TabularInline):
    model = Diagnosis
    extra = 0


class ServiceLineInline(admin.TabularInline):
    model = ServiceLine
    extra = 0
    readonly_fields = ("approved_units", "outcome")


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AuthorizationRequest)
class AuthorizationRequestAdmin(PhiReadLoggedAdmin, GuardedModelAdmin):
    """Cases are created and moved through services; the admin shows them and edits only
    descriptive fields. Status, clocks and decisions are read-only here."""

    list_display = ("reference", "member", "service_category", "urgency", "status", "decision_due_at", "assigned_to")
    list_filter = ("status", "urgency", "service_category", "channel")
    search_fields = ("reference", "member__member_number", "member__last_name")
    list_select_related = ("member", "assigned_to")
    readonly_fields = (
        "reference",
        "status",
        "received_at",
        "decision_due_at",
        "notice_due_at",
        "clocks",
        "decided_at",
        "version",
        "assigned_to",
        "submitted_by",
        "created_at",
        "updated_at",
        "member",
        "coverage",
    )
    inlines = [DiagnosisInline, ServiceLineInline, AttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(PhiReadLoggedAdmin, ReadOnlyAdmin):
    phi_path = "case"
    list_display = ("at", "case", "kind", "actor", "old_value", "new_value")
    list_filter = ("kind",)
    search_fields = ("case__reference",)
    list_select_related = ("case", "actor")


class TurnaroundPeriodInline(admin.TabularInline):
    model = TurnaroundPeriod
    extra = 0

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.in_effect

    has_add_permission = has_delete_permission = has_change_permission


class TurnaroundRuleForm(forms.ModelForm):
    # Ticked, not typed as JSON (issue 22, item 8); none ticked: every line of business.
    lines_of_business = forms.MultipleChoiceField(
        choices=LineOfBusiness.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every line of business.",
    )

    class Meta:
        model = TurnaroundRule
        fields = "__all__"  # noqa: DJ007 - the admin shows every field; this form changes one


@admin.register(TurnaroundRule)
class TurnaroundRuleAdmin(admin.ModelAdmin):
    """UM administrators version the turnaround rules: a rule in effect is never changed
    (only ended); a change is a new version with a future effective date."""

    form = TurnaroundRuleForm

    list_display = ("code", "name", "lines_of_business", "state", "effective_from", "effective_to", "extension_amount")
    list_filter = ("code", "state")
    inlines = [TurnaroundPeriodInline]

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.in_effect

    # A rule in effect reads as read-only but for its end date (issue 22, item 8); its page
    # offers "Make a new version", the add form filled from it.
    NEW_VERSION_FIELDS = ("code", "name", "source", "state", "lines_of_business", "restarts_on_information",
                          "information_notice_days", "extension_amount")  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.in_effect:
            return [f.name for f in obj._meta.fields if f.editable and f.name != "effective_to"]
        return super().get_readonly_fields(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "lines_of_business" in initial:
            initial["lines_of_business"] = [v for v in str(initial["lines_of_business"]).split(",") if v]
        return initial

    def change_view(self, request, object_id, form_url="", extra_context=None):
        rule = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if rule is not None:
            params = {}
            for name in self.NEW_VERSION_FIELDS:
                value = getattr(rule, name)
                if value in (None, "", []):
                    continue
                params[name] = ",".join(value) if isinstance(value, list) else value
            extra_context["new_version_url"] = reverse("admin:cases_turnaroundrule_add") + "?" + urlencode(params)
            extra_context["rule_in_effect"] = rule.in_effect
        return super().change_view(request, object_id, form_url, extra_context=extra_context)
