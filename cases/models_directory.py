"""The provider directory (issue 20, item 1): where a referral can go.

- `Specialty`: NUCC Health Care Provider Taxonomy codes (shipped by a data migration).
- `NetworkParticipation`: a provider organization's or a practitioner's network status for
  a period (and optionally one line of business). A practitioner's own rows win over their
  organization's; with no row in force the provider is out of network
  (`cases.directory.network_status_on` and the options query read it the same way).
- `PracticeLocation`: where patients are seen: address, ZIP, phone, accepting new patients
  and the ZIP centroid's latitude/longitude, stored when the location is saved by the
  directory services (never looked up over the network).
- `PractitionerLocation`: which practitioners see patients at a location.
- `LocationService`: the services a location offers (imaging, laboratory, specialty clinic),
  by CPT/HCPCS code.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from um_portal.validators import PHONE_MAX_LENGTH

from .choices import LineOfBusiness

# NUCC taxonomy codes are ten characters: nine letters/digits and a final "X"
# (https://taxonomy.nucc.org, "Code Set" documentation).
NUCC_CODE_RE = r"^[0-9]{3}[0-9A-Z]{6}X$"
ZIP5_RE = r"^[0-9]{5}$"


class NetworkStatus(models.TextChoices):
    PLAN_MEDICAL_CENTER = "plan_medical_center", "Plan medical center"
    CONTRACTED = "contracted", "Contracted network"
    OUT_OF_NETWORK = "out_of_network", "Out of network"


IN_NETWORK_STATUSES = (NetworkStatus.PLAN_MEDICAL_CENTER, NetworkStatus.CONTRACTED)


class Specialty(models.Model):
    """One NUCC Health Care Provider Taxonomy code."""

    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[RegexValidator(NUCC_CODE_RE, "A NUCC taxonomy code is 10 characters ending in X.")],
    )
    grouping = models.CharField(max_length=120)
    classification = models.CharField(max_length=120)
    specialization = models.CharField(max_length=120, blank=True)
    display_name = models.CharField(max_length=160)

    class Meta:
        ordering = ["display_name", "code"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return f"{self.display_name} ({self.code})"


class NetworkParticipation(models.Model):
    """A network status in force from `effective_date` to `end_date` (the last day; open if
    empty), for one line of business or (blank) every line."""

    organization = models.ForeignKey(
        "cases.ProviderOrganization", null=True, blank=True, on_delete=models.CASCADE, related_name="network_periods"
    )
    practitioner = models.ForeignKey(
        "cases.Practitioner", null=True, blank=True, on_delete=models.CASCADE, related_name="network_periods",
        help_text="A practitioner's own status wins over their organization's.",
    )  # fmt: skip
    status = models.CharField(max_length=30, choices=NetworkStatus.choices)
    line_of_business = models.CharField(
        max_length=30, choices=LineOfBusiness.choices, blank=True, help_text="Empty: every line of business."
    )
    effective_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Last day in this status; empty: open-ended.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_date", "-id"]
        indexes = [
            models.Index(fields=["organization", "effective_date"], name="network_org_from_idx"),
            models.Index(fields=["practitioner", "effective_date"], name="network_prac_from_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(organization__isnull=False) & Q(practitioner__isnull=True))
                | (Q(organization__isnull=True) & Q(practitioner__isnull=False)),
                name="network_one_provider",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("effective_date")),
                name="network_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        who = self.practitioner or self.organization
        return f"{who}: {self.get_status_display()} from {self.effective_date}"

    def is_active_on(self, day) -> bool:
        return self.effective_date <= day and (self.end_date is None or day <= self.end_date)


class PracticeLocation(models.Model):
    organization = models.ForeignKey("cases.ProviderOrganization", on_delete=models.CASCADE, related_name="locations")
    code = models.CharField(
        max_length=40,
        help_text="The organization's own name for the site; with the organization NPI it keys CSV loads.",
    )
    name = models.CharField(max_length=160, blank=True)
    address_line1 = models.CharField(max_length=120)
    address_line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=80)
    state = models.CharField(max_length=2)
    zip_code = models.CharField("ZIP", max_length=5, validators=[RegexValidator(ZIP5_RE, "A ZIP is 5 digits.")])
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)
    accepting_new_patients = models.BooleanField(default=True)
    # The ZIP centroid (the `zipcodes` package's data), stored when saved through the
    # directory services; empty when the ZIP is not in that data (no distance is shown).
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    active = models.BooleanField(default=True)
    practitioners = models.ManyToManyField(
        "cases.Practitioner", through="cases.PractitionerLocation", blank=True, related_name="locations"
    )

    class Meta:
        ordering = ["organization", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="location_code_unique"),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (Q(latitude__isnull=False) & Q(longitude__isnull=False)),
                name="location_lat_lon_together",
            ),
        ]
        indexes = [
            models.Index(fields=["zip_code"], name="location_zip_idx"),
            # The options query's box around the origin (cases.selectors_directory.options_within).
            models.Index(fields=["latitude", "longitude"], name="location_lat_lon_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.organization}, {self.address_line1}, {self.city} {self.state} {self.zip_code}"

    @property
    def address(self) -> str:
        street = ", ".join(p for p in (self.address_line1, self.address_line2) if p)
        return f"{street}, {self.city}, {self.state} {self.zip_code}"


class PractitionerLocation(models.Model):
    practitioner = models.ForeignKey("cases.Practitioner", on_delete=models.CASCADE, related_name="practice_sites")
    location = models.ForeignKey(PracticeLocation, on_delete=models.CASCADE, related_name="practice_sites")
    accepting_new_patients = models.BooleanField(default=True)

    class Meta:
        ordering = ["location", "practitioner"]
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "location"], name="practitioner_location_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} at {self.location}"


class LocationService(models.Model):
    class Kind(models.TextChoices):
        IMAGING = "imaging", "Imaging"
        LABORATORY = "laboratory", "Laboratory"
        SPECIALTY_CLINIC = "specialty_clinic", "Specialty clinic"
        OTHER = "other", "Other"

    location = models.ForeignKey(PracticeLocation, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(
        max_length=5,
        validators=[RegexValidator(r"^[0-9A-Z][0-9]{3}[0-9A-Z]$", "A CPT or HCPCS code is 5 letters/digits.")],
        help_text="CPT or HCPCS code of the service offered.",
    )
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["location", "code"]
        constraints = [models.UniqueConstraint(fields=["location", "code"], name="location_service_unique")]
        indexes = [models.Index(fields=["code", "location"], name="location_service_code_idx")]

    def __str__(self) -> str:
        return f"{self.code} at {self.location}"
