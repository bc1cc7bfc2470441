"""Admin for the provider directory (issue 20, item 1): specialties, network periods,
locations with their practitioners and services, and the CSV load with its report."""

from django import forms
from django.contrib import admin

from um_portal.admin_csv import CsvUploadAdmin
from um_portal.exceptions import DomainError

from .models import LocationService, NetworkParticipation, PracticeLocation, PractitionerLocation, Specialty
from .services.directory import location_save, network_period_check
from .services.directory_csv import COLUMNS, directory_csv_load


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ("code", "display_name", "classification", "specialization", "grouping")
    search_fields = ("code", "display_name", "classification", "specialization")
    list_filter = ("grouping",)


class NetworkPeriodForm(forms.ModelForm):
    """The overlap rule is the service's (cases.services.directory.network_period_check);
    the admin's change view runs in a transaction, so the check may lock."""

    class Meta:
        model = NetworkParticipation
        fields = ("organization", "practitioner", "status", "line_of_business", "effective_date", "end_date", "note")

    def _post_clean(self):
        super()._post_clean()
        period = self.instance
        if self.errors or (period.organization_id is None and period.practitioner_id is None):
            return  # field errors first; an inline row of a new provider has no owner yet
        try:
            network_period_check(period=period)
        except DomainError as error:
            self.add_error(None, error.message)


class NetworkPeriodInline(admin.TabularInline):
    model = NetworkParticipation
    form = NetworkPeriodForm
    extra = 0
    fields = ("status", "line_of_business", "effective_date", "end_date", "note")
    verbose_name = "network status period"


class PractitionerNetworkPeriodInline(NetworkPeriodInline):
    fk_name = "practitioner"


class OrganizationNetworkPeriodInline(NetworkPeriodInline):
    fk_name = "organization"


class PractitionerSiteInline(admin.TabularInline):
    model = PractitionerLocation
    extra = 0
    autocomplete_fields = ("practitioner", "location")


@admin.register(NetworkParticipation)
class NetworkParticipationAdmin(admin.ModelAdmin):
    form = NetworkPeriodForm
    list_display = ("__str__", "status", "line_of_business", "effective_date", "end_date")
    list_filter = ("status", "line_of_business")
    search_fields = ("organization__name", "organization__npi", "practitioner__last_name", "practitioner__npi")
    list_select_related = ("organization", "practitioner", "practitioner__organization")
    autocomplete_fields = ("organization", "practitioner")


class LocationServiceInline(admin.TabularInline):
    model = LocationService
    extra = 0


class DirectoryLoadForm(forms.Form):
    file = forms.FileField(label="Directory (CSV)", help_text="Columns: " + ", ".join(COLUMNS) + ".")


@admin.register(PracticeLocation)
class PracticeLocationAdmin(CsvUploadAdmin, admin.ModelAdmin):
    """Locations keep the centroid of their ZIP (set on save from the ZIP data). Action
    "Load directory CSV": every row loads whole or not at all, with a report."""

    list_display = ("organization", "code", "city", "state", "zip_code", "accepting_new_patients", "has_coordinates")
    list_filter = ("state", "accepting_new_patients", "active")
    search_fields = ("organization__name", "organization__npi", "code", "zip_code", "city")
    list_select_related = ("organization",)
    autocomplete_fields = ("organization",)
    readonly_fields = ("latitude", "longitude")
    inlines = [PractitionerSiteInline, LocationServiceInline]
    actions = ["directory_load_action"]
    csv_upload_path = "load-csv/"
    csv_upload_name = "cases_practicelocation_load_csv"
    csv_upload_form = DirectoryLoadForm
    csv_upload_title = "Load the provider directory"
    csv_upload_template = "admin/cases/directory_load.html"
    csv_upload_refusal = "Only UM administrators load the provider directory."

    @admin.display(boolean=True, description="coordinates")
    def has_coordinates(self, obj) -> bool:
        return obj.latitude is not None

    def save_model(self, request, obj, form, change):
        location_save(location=obj)

    @admin.action(description="Load directory CSV")
    def directory_load_action(self, request, queryset):
        return self.csv_upload_redirect()

    def csv_upload_load(self, request, text: str):
        return directory_csv_load(text=text, actor=request.user)
