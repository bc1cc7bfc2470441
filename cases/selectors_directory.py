"""Reads of the provider directory (issue 20): network status on a date and the referral
options nearest first.

Network status of a practitioner (at an organization) on a day, for a line of business:
the practitioner's own period in force wins; else the organization's; else out of network.
Among periods in force at one level, one for the member's line of business wins over one
for every line, then the latest effective date, then the newest row. The options query and
`network_status_on` apply the same rule (the first in SQL, the second in Python).

Options are ordered nearest first by the distance shown (ZIP centroid to ZIP centroid,
rounded to 0.1 mile); options without a distance (no origin ZIP, or a location without
coordinates) come last. Ties: plan medical centers before contracted providers (the plan
brings referred care back to its own centers), accepting new patients first, then
organization, practitioner, location and row, so the order never depends on the database.
"""

import math
import re
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ASin, Coalesce, Cos, Least, Power, Radians, Round, Sin, Sqrt
from django.utils import timezone

from um_portal.exceptions import ValidationFailed

from .models_directory import (
    IN_NETWORK_STATUSES,
    NUCC_CODE_RE,
    NetworkParticipation,
    NetworkStatus,
    PracticeLocation,
    PractitionerLocation,
    Specialty,
)
from .selectors import member_eligibility, npi_resolve
from .sql_derived import derived_col, derived_join
from .zipgeo import EARTH_RADIUS_MILES, distance_miles, zip5, zip_centroid

SERVICE_CODE_RE = re.compile(r"^[0-9A-Z][0-9]{3}[0-9A-Z]$", flags=re.ASCII)
# Sort key of an option without a distance: after every real distance (the Earth's
# circumference is under 25,000 miles).
NO_DISTANCE = 1e9
# The ordering of the options (API cursor pagination uses the first key as position).
# Radii (miles) searched in turn before the whole directory: a page is taken from the
# first radius holding enough options, so the distance is computed only for locations in
# that radius's latitude/longitude box (index location_lat_lon_idx), not for every location.
SEARCH_RADII = (10, 25, 50, 100, 250)
# Added to the box's radius: distances are compared after rounding to 0.1 mile.
BOX_MARGIN_MILES = 1.0
OPTION_ORDERING = (
    "sort_distance",
    "network_rank",
    "-accepting",
    "organization_name",
    "practitioner_last_name",
    "practitioner_first_name",
    "location_pk",
    "row_key",
)
OUT_OF_NETWORK_STATUSES = tuple(status for status in NetworkStatus if status not in IN_NETWORK_STATUSES)
NETWORK_MEANING = {
    NetworkStatus.PLAN_MEDICAL_CENTER: "One of the plan's own medical centers: in network.",
    NetworkStatus.CONTRACTED: "A contracted network provider: in network.",
    NetworkStatus.OUT_OF_NETWORK: (
        "Out of network: the referral is reviewed by the Referral Management Unit and may be redirected "
        "to an in-network provider; if it is approved out of network the member may pay more "
        "(higher cost sharing, or the full cost where the plan covers no out-of-network care)."
    ),
}


@dataclass(frozen=True)
class ReferralSearch:
    """A checked options question: what, for whom (line of business), from where, on which day."""

    specialty: Specialty | None
    service_code: str
    day: date
    line_of_business: str | None
    origin_zip: str | None
    origin: tuple[float, float] | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReferralOption:
    location_id: int
    organization_id: int
    organization_name: str
    organization_npi: str
    practitioner_id: int | None
    practitioner_name: str
    practitioner_npi: str
    network: str
    address: str
    zip_code: str
    phone: str
    accepting_new_patients: bool
    distance_miles: float | None
    specialties: tuple[str, ...] = ()

    @property
    def npi(self) -> str:
        return self.practitioner_npi or self.organization_npi

    @property
    def network_label(self) -> str:
        return NetworkStatus(self.network).label

    @property
    def in_network(self) -> bool:
        return self.network in IN_NETWORK_STATUSES


@dataclass
class ReferralOptions:
    search: ReferralSearch
    options: list[ReferralOption] = field(default_factory=list)

    def __iter__(self):
        return iter(self.options)

    def __len__(self) -> int:
        return len(self.options)

    def __getitem__(self, index):
        return self.options[index]

    @property
    def notes(self) -> tuple[str, ...]:
        return self.search.notes


def specialty_for_code(code: str) -> Specialty:
    """The specialty of a NUCC code; ValidationFailed (400) for a malformed or unknown one."""
    code = (code or "").strip().upper()
    specialty = Specialty.objects.filter(code=code).first() if re.match(NUCC_CODE_RE, code) else None
    if specialty is None:
        message = f"Unknown specialty code {code!r}: give a NUCC taxonomy code such as 207RC0000X (cardiology)."
        raise ValidationFailed(message, code="unknown_specialty", errors={"specialty": [message]})
    return specialty


def referral_search(
    *,
    specialty: str | Specialty | None = None,
    service_code: str | None = None,
    member=None,
    near_zip: str | None = None,
    line_of_business: str | None = None,
    on: date | None = None,
) -> ReferralSearch:
    """Check an options question. Bad input the caller typed (unknown specialty, malformed
    service code, unknown `near_zip`) is ValidationFailed; a member whose own ZIP is not in
    the ZIP data is not an error: the options come without distance and a note says why."""
    day = on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    spec = None
    if isinstance(specialty, Specialty):
        spec = specialty
    elif specialty:
        try:
            spec = specialty_for_code(specialty)
        except ValidationFailed as error:
            errors.update(error.errors)
    code = (service_code or "").strip().upper()
    if code and not SERVICE_CODE_RE.match(code):
        errors["service_code"] = [f"{code!r} is not a CPT or HCPCS code (5 letters or digits, e.g. 93306)."]
    if not specialty and not code:
        errors["specialty"] = ["Give a specialty (NUCC taxonomy code) or a service code."]
    notes: list[str] = []
    origin_zip, origin = None, None
    if near_zip:
        origin_zip = zip5(near_zip)
        origin = zip_centroid(near_zip)
        if origin is None:
            errors["near_zip"] = [f"Unknown ZIP {near_zip.strip()!r}: give a 5-digit US ZIP code."]
    elif member is not None:
        origin_zip = zip5(member.postal_code) or member.postal_code
        origin = zip_centroid(member.postal_code)
        if origin is None:
            notes.append(
                f"The member's ZIP {member.postal_code} is not in the ZIP data: options are shown without distance."
            )
    else:
        notes.append("No ZIP given: options are shown without distance.")
    if errors:
        first = next(iter(errors.values()))[0]
        code_name = "unknown_zip" if list(errors) == ["near_zip"] else "invalid"
        if list(errors) == ["specialty"] and spec is None and specialty:
            code_name = "unknown_specialty"
        raise ValidationFailed(first, code=code_name, errors=errors)
    if line_of_business is None and member is not None:
        line_of_business = member_eligibility(member=member, day=day)["line_of_business"]
    return ReferralSearch(
        specialty=spec,
        service_code=code,
        day=day,
        line_of_business=line_of_business or None,
        origin_zip=origin_zip,
        origin=origin,
        notes=tuple(notes),
    )


def _periods_in_force(day: date, line_of_business: str | None):
    lines = [line_of_business, ""] if line_of_business else [""]
    return (
        NetworkParticipation.objects.filter(effective_date__lte=day, line_of_business__in=lines)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .order_by("-line_of_business", "-effective_date", "-pk")
    )


def network_status_on(*, organization, practitioner=None, line_of_business: str | None = None, on: date) -> str:
    """The network status (NetworkStatus value) of a practitioner at their organization, or
    of an organization, on `on` for a line of business (None: periods for every line only)."""
    periods = _periods_in_force(on, line_of_business)
    if practitioner is not None:
        own = periods.filter(practitioner=practitioner).values_list("status", flat=True).first()
        if own is not None:
            return own
        organization = organization or practitioner.organization
    status = periods.filter(organization=organization).values_list("status", flat=True).first()
    return status or NetworkStatus.OUT_OF_NETWORK


def _distance(search: ReferralSearch, prefix: str):
    if search.origin is None:
        return Value(None, output_field=FloatField())
    lat1, lon1 = (math.radians(v) for v in search.origin)
    lat2, lon2 = Radians(F(f"{prefix}latitude")), Radians(F(f"{prefix}longitude"))
    half_chord = Power(Sin((lat2 - Value(lat1)) / Value(2.0)), 2) + Value(math.cos(lat1)) * Cos(lat2) * Power(
        Sin((lon2 - Value(lon1)) / Value(2.0)), 2
    )
    # Haversine formula, as the `haversine` package computes it (cases.zipgeo). LEAST keeps
    # rounding from taking asin out of its domain; PostgreSQL's LEAST ignores NULLs, so a
    # location without coordinates is answered NULL explicitly.
    miles = ExpressionWrapper(
        Value(2.0 * EARTH_RADIUS_MILES) * ASin(Sqrt(Least(half_chord, Value(1.0)))), output_field=FloatField()
    )
    return Case(
        When(Q(**{f"{prefix}latitude__isnull": True}) | Q(**{f"{prefix}longitude__isnull": True}), then=Value(None)),
        default=miles,
        output_field=FloatField(),
    )


def _box(origin: tuple[float, float], radius: float):
    """Latitude/longitude bounds holding every point within `radius` miles of `origin`
    (J. P. Matuschek, "Finding Points Within a Distance of a Latitude/Longitude Using
    Bounding Coordinates"); the longitude bounds are None near a pole or across the 180th
    meridian (the box is then a band of latitude: less selective, still correct)."""
    lat, lon = origin
    angle = (radius + BOX_MARGIN_MILES) / EARTH_RADIUS_MILES
    lat_min, lat_max = lat - math.degrees(angle), lat + math.degrees(angle)
    spread = math.sin(angle) / math.cos(math.radians(lat))
    if lat_min <= -90 or lat_max >= 90 or spread >= 1:
        return lat_min, lat_max, None, None
    delta = math.degrees(math.asin(spread))
    if lon - delta < -180 or lon + delta > 180:
        return lat_min, lat_max, None, None
    return lat_min, lat_max, lon - delta, lon + delta


def options_within(queryset, search: ReferralSearch, radius: float):
    """The options of `referral_options_queryset(search)` at most `radius` miles away (the
    distance shown), read from the locations in the radius's box only: the same rows in
    the same order as the whole query's rows with distance <= radius."""
    prefix = "location__" if search.specialty is not None else ""
    lat_min, lat_max, lon_min, lon_max = _box(search.origin, radius)
    box = Q(**{f"{prefix}latitude__gte": lat_min, f"{prefix}latitude__lte": lat_max})
    if lon_min is not None:
        box &= Q(**{f"{prefix}longitude__gte": lon_min, f"{prefix}longitude__lte": lon_max})
    return queryset.filter(box, sort_distance__lte=radius)


def _network_joined(qs, periods, *, organization: tuple[str, str], practitioner: tuple[str, str] | None = None):
    """`qs` joined to the winning period in force of each organization (and practitioner),
    one DISTINCT ON query each read once per query (a correlated subquery per row read the
    periods again for every location: 0.5 to 0.8 s over 50,000 locations), and the network
    status expression: the practitioner's own period, else the organization's, else out of
    network. `periods` is ordered by the rule's preference (_periods_in_force). Each owner
    is (the alias of the table holding its id in `qs`, the path to that id from `qs`'s
    model). SQLite (`make run`) has no DISTINCT ON: there, a correlated subquery per row."""
    owners = (("practitioner", practitioner), ("organization", organization))
    if connection.vendor != "postgresql":
        statuses = [
            Subquery(periods.filter(**{owner: OuterRef(given[1])}).values("status")[:1])
            for owner, given in owners
            if given is not None
        ]
        return qs, Coalesce(*statuses, Value(NetworkStatus.OUT_OF_NETWORK.value))
    status = NetworkParticipation._meta.get_field("status")
    statuses = []
    for owner, given in owners:
        if given is None:
            continue
        parent_alias, _path = given
        winners = (
            periods.filter(**{f"{owner}__isnull": False})
            .order_by(f"{owner}_id", *periods.query.order_by)
            .distinct(f"{owner}_id")
            .values(f"{owner}_id", "status")
        )
        alias = f"{owner}_network"
        qs = derived_join(
            qs, winners, alias=alias, parent_alias=parent_alias, parent_column=f"{owner}_id", key=f"{owner}_id"
        )
        statuses.append(derived_col(alias, status))
    return qs, Coalesce(*statuses, Value(NetworkStatus.OUT_OF_NETWORK.value))


def referral_options_queryset(search: ReferralSearch, *, in_network_only: bool = True):
    """The options as `.values()` rows with the same keys whatever the question, ordered
    by OPTION_ORDERING: practitioners at locations for a specialty (at locations offering
    the service, if one is given too), else locations offering the service."""
    periods = _periods_in_force(search.day, search.line_of_business)
    if search.specialty is not None:
        prefix = "location__"
        qs = PractitionerLocation.objects.filter(location__active=True, practitioner__specialties=search.specialty)
        if search.service_code:
            qs = qs.filter(location__services__code=search.service_code)
        location_alias = qs.query.table_map[PracticeLocation._meta.db_table][0]
        qs, network = _network_joined(
            qs,
            periods,
            practitioner=(qs.query.get_initial_alias(), "practitioner_id"),
            organization=(location_alias, "location__organization_id"),
        )
        person = {
            "practitioner_pk": F("practitioner_id"),
            "practitioner_first_name": F("practitioner__first_name"),
            "practitioner_last_name": F("practitioner__last_name"),
            "practitioner_credentials": F("practitioner__credentials"),
            "practitioner_npi": F("practitioner__npi"),
        }
        accepting = ExpressionWrapper(
            Q(accepting_new_patients=True) & Q(location__accepting_new_patients=True), output_field=BooleanField()
        )
        location_pk = F("location_id")
    else:
        prefix = ""
        qs = PracticeLocation.objects.filter(active=True, services__code=search.service_code)
        qs, network = _network_joined(qs, periods, organization=(qs.query.get_initial_alias(), "organization_id"))
        person = {
            "practitioner_pk": Value(None, output_field=IntegerField()),
            "practitioner_first_name": Value(""),
            "practitioner_last_name": Value(""),
            "practitioner_credentials": Value(""),
            "practitioner_npi": Value(""),
        }
        accepting = ExpressionWrapper(Q(accepting_new_patients=True), output_field=BooleanField())
        location_pk = F("pk")
    distance = Round(_distance(search, prefix), 1)
    qs = qs.annotate(network=network)
    if in_network_only:
        # Written as "not out of network" (the same rows: every status is one of NetworkStatus),
        # which the planner expects most rows to pass, as they do; "in network" it expects
        # of 1 % of them, and then joins the rest of the query row by row.
        qs = qs.exclude(network__in=OUT_OF_NETWORK_STATUSES)
    return qs.values(
        row_key=F("pk"),
        location_pk=location_pk,
        organization_pk=F(f"{prefix}organization_id"),
        organization_name=F(f"{prefix}organization__name"),
        organization_npi=F(f"{prefix}organization__npi"),
        **person,
        network_status=F("network"),
        network_rank=Case(When(network=NetworkStatus.PLAN_MEDICAL_CENTER.value, then=Value(0)), default=Value(1)),
        accepting=accepting,
        street1=F(f"{prefix}address_line1"),
        street2=F(f"{prefix}address_line2"),
        town=F(f"{prefix}city"),
        state_code=F(f"{prefix}state"),
        location_zip=F(f"{prefix}zip_code"),
        phone_number=F(f"{prefix}phone"),
        distance_miles=distance,
        sort_distance=Coalesce(distance, Value(NO_DISTANCE)),
    ).order_by(*OPTION_ORDERING)


def referral_options_rows(rows) -> list[ReferralOption]:
    """ReferralOption objects for `.values()` rows of `referral_options_queryset`, with the
    practitioners' specialties (one query, and none when no row names a practitioner)."""
    practitioner_ids = {row["practitioner_pk"] for row in rows if row["practitioner_pk"] is not None}
    names: dict[int, list[str]] = {}
    if practitioner_ids:
        through = Specialty.practitioners.through.objects.filter(practitioner_id__in=practitioner_ids)
        for practitioner_id, name in through.order_by("specialty__display_name").values_list(
            "practitioner_id", "specialty__display_name"
        ):
            names.setdefault(practitioner_id, []).append(name)
    options = []
    for row in rows:
        street = ", ".join(p for p in (row["street1"], row["street2"]) if p)
        person = " ".join(p for p in (row["practitioner_first_name"], row["practitioner_last_name"]) if p)
        if person and row["practitioner_credentials"]:
            person = f"{person}, {row['practitioner_credentials']}"
        options.append(
            ReferralOption(
                location_id=row["location_pk"],
                organization_id=row["organization_pk"],
                organization_name=row["organization_name"],
                organization_npi=row["organization_npi"],
                practitioner_id=row["practitioner_pk"],
                practitioner_name=person,
                practitioner_npi=row["practitioner_npi"],
                network=row["network_status"],
                address=f"{street}, {row['town']}, {row['state_code']} {row['location_zip']}",
                zip_code=row["location_zip"],
                phone=row["phone_number"],
                accepting_new_patients=bool(row["accepting"]),
                distance_miles=row["distance_miles"],
                specialties=tuple(names.get(row["practitioner_pk"], ())),
            )
        )
    return options


def referral_options(
    *,
    specialty: str | Specialty | None = None,
    service_code: str | None = None,
    member=None,
    near_zip: str | None = None,
    line_of_business: str | None = None,
    on: date | None = None,
    limit: int = 10,
    in_network_only: bool = True,
) -> ReferralOptions:
    """The in-network options nearest first (at most `limit`), for a specialty (NUCC code)
    and/or a service (CPT/HCPCS code), from `near_zip` or the member's ZIP, for the member's
    line of business on `on` (today by default). Raises ValidationFailed for bad input."""
    search = referral_search(
        specialty=specialty,
        service_code=service_code,
        member=member,
        near_zip=near_zip,
        line_of_business=line_of_business,
        on=on,
    )
    queryset = referral_options_queryset(search, in_network_only=in_network_only)
    rows = None
    if search.origin is not None:
        # Nearest first: the first radius holding `limit` options gives exactly the first
        # `limit` options of the whole query (every nearer option is inside the radius).
        for radius in SEARCH_RADII:
            rows = list(options_within(queryset, search, radius)[:limit])
            if len(rows) >= limit:
                break
            rows = None
    if rows is None:
        rows = list(queryset[:limit])
    return ReferralOptions(search=search, options=referral_options_rows(rows))


@dataclass(frozen=True)
class ProviderNetwork:
    organization: object
    practitioner: object | None
    status: str
    distance_miles: float | None

    @property
    def in_network(self) -> bool:
        return self.status in IN_NETWORK_STATUSES

    @property
    def label(self) -> str:
        return NetworkStatus(self.status).label

    @property
    def meaning(self) -> str:
        return NETWORK_MEANING[NetworkStatus(self.status)]


def provider_network(*, npi: str, line_of_business: str | None, on: date, origin=None) -> ProviderNetwork | None:
    """The network status of the provider with this NPI (practitioner or organization) and,
    given an origin (lat, lon), the distance to its nearest location with coordinates; None
    for an unknown NPI."""
    organization, practitioner = npi_resolve((npi or "").strip())
    if organization is None:
        return None
    status = network_status_on(
        organization=organization, practitioner=practitioner, line_of_business=line_of_business, on=on
    )
    nearest = None
    if origin is not None:
        sites = PracticeLocation.objects.filter(active=True, latitude__isnull=False)
        sites = (
            sites.filter(practice_sites__practitioner=practitioner)
            if practitioner
            else sites.filter(organization=organization)
        )
        distances = [distance_miles(origin, (lat, lon)) for lat, lon in sites.values_list("latitude", "longitude")]
        nearest = round(min(distances), 1) if distances else None
    return ProviderNetwork(organization=organization, practitioner=practitioner, status=status, distance_miles=nearest)
