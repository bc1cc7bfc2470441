from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone

from um_portal.exceptions import ValidationFailed

from .codes import LINES_OF_BUSINESS
from .models import CoverageRequirement, CriteriaCode, CriteriaSet, CriteriaVersion
from .services.requirements import coverage_requirement_clean


class CriteriaVersionInline(admin.TabularInline):
    """Versions are listed here and edited on their own page, where a locked one is read-only."""

    model = CriteriaVersion
    extra = 0
    fields = ("version", "effective_from", "effective_to", "locked_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CriteriaCodeInline(admin.TabularInline):
    model = CriteriaCode
    extra = 0


@admin.register(CriteriaSet)
class CriteriaSetAdmin(admin.ModelAdmin):
    list_display = ("name", "source")
    search_fields = ("name",)
    inlines = [CriteriaVersionInline, CriteriaCodeInline]


@admin.register(CriteriaVersion)
class CriteriaVersionAdmin(admin.ModelAdmin):
    list_display = ("criteria_set", "version", "effective_from", "effective_to", "locked_at")
    list_filter = ("criteria_set",)
    list_select_related = ("criteria_set",)
    readonly_fields = ("locked_at",)
    actions = ["new_version_from"]

    def has_change_permission(self, request, obj=None):
        # A version used in a decision is frozen: the admin shows it read-only.
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and obj.is_locked and request.method == "GET":
            messages.warning(
                request,
                f"This version was used in a decision on {obj.locked_at:%Y-%m-%d} and can no longer be edited. "
                "Use the action “Make a new version from the selected ones” on the list.",
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Make a new version from the selected ones")
    def new_version_from(self, request, queryset):
        today = timezone.localdate()
        with transaction.atomic():
            for old in queryset.select_related("criteria_set"):
                number = old.criteria_set.versions.count() + 1
                CriteriaVersion.objects.create(
                    criteria_set=old.criteria_set,
                    version=f"{old.version}-draft{number}",
                    effective_from=max(today, old.effective_from),
                    text=old.text,
                    indications=list(old.indications),
                )
        self.message_user(request, "New draft version(s) made: set their number and dates, then save.")

    def delete_queryset(self, request, queryset):
        # The bulk delete action bypasses Model.delete(): refuse locked rows here too.
        if queryset.filter(locked_at__isnull=False).exists():
            self.message_user(
                request, "Versions used in a decision cannot be deleted; nothing was deleted.", messages.ERROR
            )
            return
        super().delete_queryset(request, queryset)


# The plan's lines of business as administrators read them (criteria.codes holds the values).
LINE_OF_BUSINESS_LABELS = {"commercial": "Commercial", "medicare_advantage": "Medicare Advantage",
                           "medicaid": "Medicaid", "chip": "CHIP"}  # fmt: skip


class CoverageRequirementForm(forms.ModelForm):
    # Ticked, not typed as JSON (issue 22, item 8); none ticked: every line of business.
    lines_of_business = forms.MultipleChoiceField(
        choices=[(value, LINE_OF_BUSINESS_LABELS.get(value, value)) for value in LINES_OF_BUSINESS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every line of business.",
    )

    class Meta:
        model = CoverageRequirement
        fields = [
            "policy",
            "version",
            "service",
            "codes",
            "lines_of_business",
            "states",
            "places_of_service",
            "network_status",
            "documentation",
            "criteria_sets",
            "effective_from",
            "effective_to",
        ]

    def clean(self):
        # The same checks as every other door, so bad input is refused and nothing saved.
        data = super().clean()
        try:
            clean = coverage_requirement_clean(fields=data, instance=self.instance)
        except ValidationFailed as exc:
            raise forms.ValidationError(
                {f if f in self.fields else None: msgs for f, msgs in exc.errors.items()}
            ) from None
        self.instance.code_min, self.instance.code_max = clean["code_min"], clean["code_max"]
        return {**data, **{k: v for k, v in clean.items() if k in self.fields}}


@admin.register(CoverageRequirement)
class CoverageRequirementAdmin(admin.ModelAdmin):
    """Published prior-authorization requirements, one row per version."""

    form = CoverageRequirementForm
    list_display = ("policy", "version", "service", "codes", "effective_from", "effective_to")
    list_filter = ("network_status",)
    search_fields = ("policy", "service")
    filter_horizontal = ("criteria_sets",)
