"""The provider directory's CSV load (issue 20, item 1).

One row per location, or per practitioner at a location. Each row is checked and written
in its own savepoint: a row is loaded whole or not at all, and a rejected row is reported
with its line number and every reason, while the good rows load. Loading the same file
twice changes nothing (rows are keyed by organization NPI + location code, practitioner
NPI, and identical network periods are recognised).

Columns (header row required; order free):
  organization_npi*, organization_name, organization_tin, organization_kind (needed only
  for an organization not yet in the directory), location_code*, location_name,
  address_line1*, address_line2, city*, state*, zip*, phone, accepting_new_patients
  (yes/no, default yes), practitioner_npi, practitioner_first_name, practitioner_last_name,
  practitioner_credentials, specialty_codes (NUCC codes separated by ";"), services
  ("kind:code" separated by ";", kind imaging|laboratory|specialty_clinic|other),
  network_status (plan_medical_center|contracted|out_of_network), network_effective_date,
  network_end_date (YYYY-MM-DD, the last day), line_of_business (empty: every line). The
  network status is the practitioner's own when the row names one, else the organization's.
"""

import csv
import io
from datetime import date

from django.db import IntegrityError, transaction

from um_portal.exceptions import DomainError, ValidationFailed
from um_portal.validators import phone_is_valid

from ..choices import LineOfBusiness
from ..models import (
    LocationService,
    NetworkParticipation,
    NetworkStatus,
    PracticeLocation,
    Practitioner,
    ProviderOrganization,
    Specialty,
)
from ..validators import npi_is_valid
from ..zipgeo import zip_centroid
from .directory import LoadReport, RejectedRow, location_save, network_period_check, practitioner_location_set

REQUIRED = ("organization_npi", "location_code", "address_line1", "city", "state", "zip")
COLUMNS = REQUIRED + (
    "organization_name",
    "organization_tin",
    "organization_kind",
    "location_name",
    "address_line2",
    "phone",
    "accepting_new_patients",
    "practitioner_npi",
    "practitioner_first_name",
    "practitioner_last_name",
    "practitioner_credentials",
    "specialty_codes",
    "services",
    "network_status",
    "network_effective_date",
    "network_end_date",
    "line_of_business",
)
# A directory file of a large plan (the bench loads 50,000 locations); larger files are split.
MAX_ROWS = 100_000
YES = {"", "y", "yes", "true", "1"}
NO = {"n", "no", "false", "0"}


class RowRejected(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def _date(value: str, column: str, reasons: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        reasons.append(f"{column} {value!r} is not a date (YYYY-MM-DD).")
        return None


def _check(row: dict, specialties: dict[str, Specialty]) -> dict:
    """Every reason the row cannot load (RowRejected), else its parsed values."""
    reasons: list[str] = []
    missing = [c for c in REQUIRED if not row.get(c)]
    if missing:
        reasons.append(f"Missing {', '.join(missing)}.")
    org_npi = row.get("organization_npi", "")
    if org_npi and not npi_is_valid(org_npi):
        reasons.append(f"organization_npi {org_npi!r} is not a valid NPI.")
    zip_code = row.get("zip", "")
    if zip_code and not (len(zip_code) == 5 and zip_code.isascii() and zip_code.isdigit()):
        reasons.append(f"ZIP {zip_code!r} is not 5 digits.")
    state = row.get("state", "").upper()
    if state and not (len(state) == 2 and state.isascii() and state.isalpha()):
        reasons.append(f"state {state!r} is not a two-letter state code.")
    phone = row.get("phone", "")
    if phone and not phone_is_valid(phone, min_digits=10):
        reasons.append(f"phone {phone!r} is not a phone number.")
    accepting = row.get("accepting_new_patients", "").lower()
    if accepting not in YES | NO:
        reasons.append(f"accepting_new_patients {accepting!r} is not yes or no.")
    practitioner_npi = row.get("practitioner_npi", "")
    if practitioner_npi and not npi_is_valid(practitioner_npi):
        reasons.append(f"practitioner_npi {practitioner_npi!r} is not a valid NPI.")
    codes = [c.strip().upper() for c in row.get("specialty_codes", "").split(";") if c.strip()]
    unknown = [c for c in codes if c not in specialties]
    if unknown:
        reasons.append(f"Unknown NUCC taxonomy code(s): {', '.join(unknown)}.")
    if codes and not practitioner_npi:
        reasons.append("specialty_codes need a practitioner_npi (specialties belong to practitioners).")
    services = []
    for item in (s.strip() for s in row.get("services", "").split(";")):
        if not item:
            continue
        kind, _, code = (part.strip() for part in item.partition(":"))
        code = code.upper()
        if kind not in LocationService.Kind.values or not (len(code) == 5 and code.isascii() and code.isalnum()):
            reasons.append(f"Service {item!r} is not kind:code (e.g. imaging:70551).")
        else:
            services.append((kind, code))
    status = row.get("network_status", "")
    effective = _date(row.get("network_effective_date", ""), "network_effective_date", reasons)
    end = _date(row.get("network_end_date", ""), "network_end_date", reasons)
    if status and status not in NetworkStatus.values:
        reasons.append(f"network_status {status!r} is not one of {', '.join(NetworkStatus.values)}.")
    if status and effective is None and not row.get("network_effective_date"):
        reasons.append("network_status needs network_effective_date.")
    if (effective or end) and not status:
        reasons.append("Network dates need a network_status.")
    if effective and end and end < effective:
        reasons.append("network_end_date is before network_effective_date.")
    lob = row.get("line_of_business", "")
    if lob and lob not in LineOfBusiness.values:
        reasons.append(f"line_of_business {lob!r} is not one of {', '.join(LineOfBusiness.values)}.")
    if reasons:
        raise RowRejected(reasons)
    return {
        "state": state,
        "accepting": accepting not in NO,
        "codes": codes,
        "services": services,
        "status": status,
        "effective": effective,
        "end": end,
        "lob": lob,
    }


def _organization(row: dict) -> ProviderOrganization:
    organization = ProviderOrganization.objects.filter(npi=row["organization_npi"]).first()
    if organization is not None:
        return organization
    name, tin, kind = row.get("organization_name"), row.get("organization_tin"), row.get("organization_kind")
    if not (name and tin and kind):
        raise RowRejected(
            [
                f"Organization NPI {row['organization_npi']} is not in the directory: give organization_name, "
                "organization_tin and organization_kind to add it."
            ]
        )
    if kind not in ProviderOrganization.Kind.values:
        raise RowRejected([f"organization_kind {kind!r} is not one of {', '.join(ProviderOrganization.Kind.values)}."])
    if not (len(tin) == 9 and tin.isascii() and tin.isdigit()):
        raise RowRejected([f"organization_tin {tin!r} is not 9 digits."])
    return ProviderOrganization.objects.create(name=name, tin=tin, npi=row["organization_npi"], kind=kind)


def _practitioner(row: dict, organization, specialty: str = "") -> Practitioner | None:
    npi = row.get("practitioner_npi")
    if not npi:
        return None
    practitioner = Practitioner.objects.filter(npi=npi).first()
    if practitioner is not None:
        if practitioner.organization_id != organization.pk:
            raise RowRejected(
                [f"Practitioner NPI {npi} belongs to {practitioner.organization.name}, not to this organization."]
            )
        return practitioner
    first, last = row.get("practitioner_first_name"), row.get("practitioner_last_name")
    if not (first and last):
        raise RowRejected([f"Practitioner NPI {npi} is new: give practitioner_first_name and practitioner_last_name."])
    return Practitioner.objects.create(
        npi=npi,
        first_name=first,
        last_name=last,
        credentials=row.get("practitioner_credentials", ""),
        specialty=specialty[:80],
        organization=organization,
    )


def _network(parsed: dict, organization, practitioner) -> None:
    if not parsed["status"]:
        return
    owner = {"practitioner": practitioner} if practitioner else {"organization": organization}
    same = NetworkParticipation.objects.filter(
        **owner,
        status=parsed["status"],
        effective_date=parsed["effective"],
        end_date=parsed["end"],
        line_of_business=parsed["lob"],
    )
    if same.exists():
        return  # loaded before: nothing new
    period = NetworkParticipation(
        **owner,
        status=parsed["status"],
        effective_date=parsed["effective"],
        end_date=parsed["end"],
        line_of_business=parsed["lob"],
        note="CSV load",
    )
    network_period_check(period=period)
    period.save()


def _load_row(row: dict, parsed: dict, specialties: dict[str, Specialty]) -> bool:
    """Write one checked row; True if its location is new."""
    organization = _organization(row)
    location = PracticeLocation.objects.filter(organization=organization, code=row["location_code"]).first()
    created = location is None
    location = location or PracticeLocation(organization=organization, code=row["location_code"])
    location.name = row.get("location_name", "")
    location.address_line1 = row["address_line1"]
    location.address_line2 = row.get("address_line2", "")
    location.city = row["city"]
    location.state = parsed["state"]
    location.zip_code = row["zip"]
    location.phone = row.get("phone", "")
    first = specialties[parsed["codes"][0]].display_name if parsed["codes"] else ""
    practitioner = _practitioner(row, organization, first)
    if practitioner is None:
        location.accepting_new_patients = parsed["accepting"]
    location_save(location=location)
    if practitioner is not None:
        practitioner_location_set(
            practitioner=practitioner, location=location, accepting_new_patients=parsed["accepting"]
        )
        practitioner.specialties.add(*(specialties[c] for c in parsed["codes"]))
    for kind, code in parsed["services"]:
        LocationService.objects.get_or_create(location=location, code=code, defaults={"kind": kind})
    _network(parsed, organization, practitioner)
    return created


def directory_csv_load(*, text: str, actor=None) -> LoadReport:
    """Load a directory CSV row by row (see the module docstring). ValidationFailed when
    the file as a whole cannot be read (no header, required columns missing, too long)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        message = f"The header row lacks {', '.join(missing)}. Columns: {', '.join(COLUMNS)}."
        raise ValidationFailed(message, errors={"file": [message]})
    reader.fieldnames = header
    specialties = {s.code: s for s in Specialty.objects.all()}
    report = LoadReport()
    for count, raw in enumerate(reader, start=1):
        if count > MAX_ROWS:
            message = f"More than {MAX_ROWS} rows: split the file."
            raise ValidationFailed(message, errors={"file": [message]})
        line = reader.line_num
        row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue
        try:
            parsed = _check(row, specialties)
            with transaction.atomic():
                created = _load_row(row, parsed, specialties)
        except RowRejected as rejected:
            report.rejected.append(RejectedRow(line=line, reason=" ".join(rejected.reasons), row=row))
            continue
        except DomainError as error:
            report.rejected.append(RejectedRow(line=line, reason=error.message, row=row))
            continue
        except IntegrityError:
            report.rejected.append(RejectedRow(line=line, reason="Conflicts with a directory entry.", row=row))
            continue
        if created:
            report.created += 1
        else:
            report.updated += 1
        if zip_centroid(row["zip"]) is None:
            report.warnings.append(
                f"Line {line}: ZIP {row['zip']} is not in the ZIP data; the location is listed without distance."
            )
    return report
