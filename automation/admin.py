from django import forms
from django.contrib import admin

from um_portal.admin import ReadOnlyAdmin
from um_portal.audit.admin import PhiReadLoggedAdmin
from um_portal.exceptions import DomainError

from .models import (
    AutoApprovalRuleVersion,
    GoldCardEvent,
    GoldCardPolicy,
    GoldCardStatus,
    RuleEvaluation,
    Simulation,
)
from .services.rules import rule_version_create, rule_version_validate


class RuleVersionAddForm(forms.ModelForm):
    rule_name = forms.CharField(max_length=120)

    class Meta:
        model = AutoApprovalRuleVersion
        fields = ["conditions", "action", "effective_from", "effective_to"]


@admin.register(AutoApprovalRuleVersion)
class AutoApprovalRuleVersionAdmin(admin.ModelAdmin):
    """Writing here goes through the same service as the rules page: a rule only approves,
    conditions are checked, and a version is never edited here (drafts change on the page)."""

    form = RuleVersionAddForm
    list_display = ("rule", "version", "status", "action", "effective_from", "effective_to", "locked_at")
    list_filter = ("status",)
    list_select_related = ("rule",)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class Checked(form):
            def clean(self):
                data = super().clean()
                if not self.errors:
                    try:
                        rule_version_validate(
                            rule_name=data.get("rule_name", ""),
                            conditions=data.get("conditions"),
                            effective_from=data.get("effective_from"),
                            effective_to=data.get("effective_to"),
                            action=data.get("action", ""),
                        )
                    except DomainError as error:
                        raise forms.ValidationError(error.message) from None
                return data

        return Checked

    def save_model(self, request, obj, form, change):
        created = rule_version_create(
            actor=request.user,
            rule_name=form.cleaned_data["rule_name"],
            conditions=form.cleaned_data["conditions"],
            effective_from=form.cleaned_data["effective_from"],
            effective_to=form.cleaned_data.get("effective_to"),
            action=form.cleaned_data["action"],
        )
        obj.pk, obj.rule_id, obj.version, obj.status = created.pk, created.rule_id, created.version, created.status
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        return None


@admin.register(Simulation)
class SimulationAdmin(ReadOnlyAdmin):
    list_display = ("version", "period_start", "period_end", "status", "matched", "human_denied", "human_reduced")
    list_select_related = ("version__rule",)


@admin.register(RuleEvaluation)
class RuleEvaluationAdmin(PhiReadLoggedAdmin, ReadOnlyAdmin):
    phi_path = "case"
    list_display = ("case", "outcome", "matched_version", "evaluated_at", "summary")
    list_filter = ("outcome",)
    list_select_related = ("case", "matched_version__rule")


@admin.register(GoldCardPolicy)
class GoldCardPolicyAdmin(admin.ModelAdmin):
    """Thresholds are versioned: add a new version with a future effective date."""

    list_display = ("version", "effective_from", "period_months", "min_decided", "min_approval_percent")

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GoldCardStatus)
class GoldCardStatusAdmin(ReadOnlyAdmin):
    """The administrators' list of gold cards (set by the nightly task only)."""

    list_display = ("organization", "code_group", "status", "rate", "decided", "since", "revocation_effective_at")
    list_filter = ("status", "code_group")
    list_select_related = ("organization",)


@admin.register(GoldCardEvent)
class GoldCardEventAdmin(ReadOnlyAdmin):
    list_display = ("organization", "code_group", "kind", "at", "approved", "decided", "effective_at")
    list_filter = ("kind",)
    list_select_related = ("organization",)
