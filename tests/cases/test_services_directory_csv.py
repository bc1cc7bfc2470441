"""The directory CSV load (issue 20, item 1): row by row, each row whole or not at all,
rejected rows reported with why; the admin page and the command show the same report."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from cases.models import NetworkParticipation, PracticeLocation, Practitioner, ProviderOrganization
from cases.selectors_directory import network_status_on, referral_options
from cases.services.directory_csv import directory_csv_load
from tests.directory_factories import CARDIOLOGY, network
from tests.factories import OrganizationFactory, valid_npi
from um_portal.exceptions import ValidationFailed

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

HEADER = (
    "organization_npi,organization_name,organization_tin,organization_kind,location_code,address_line1,city,"
    "state,zip,phone,accepting_new_patients,practitioner_npi,practitioner_first_name,practitioner_last_name,"
    "practitioner_credentials,specialty_codes,services,network_status,network_effective_date,network_end_date,"
    "line_of_business"
)
ORG = valid_npi(91001)
DOC1, DOC2, DOC3 = valid_npi(91002), valid_npi(91003), valid_npi(91004)


def csv_text(*rows: str) -> str:
    return "\n".join((HEADER, *rows)) + "\n"


GOOD_1 = f"{ORG},Harbor Heart,520009001,practice,towson,1 York Rd,Towson,MD,21204,410-555-0101,yes,{DOC1},Ada,Stone,MD,{CARDIOLOGY},specialty_clinic:93306,contracted,2026-01-01,,"  # noqa: E501
GOOD_2 = f"{ORG},,,,towson,1 York Rd,Towson,MD,21204,410-555-0101,no,{DOC2},Ben,Lake,DO,{CARDIOLOGY},,contracted,2026-01-01,,"  # noqa: E501
BAD_SPECIALTY = f"{ORG},,,,towson,1 York Rd,Towson,MD,21204,410-555-0101,yes,{DOC3},Cy,Ford,MD,999ZZ0000X,,,,,"
BAD_ZIP_AND_PHONE = f"{ORG},,,,annapolis,2 Main St,Annapolis,MD,2140,call us,yes,,,,,,,,,,"
UNKNOWN_ORG = f"{valid_npi(91005)},,,,x,3 Main St,Laurel,MD,20707,,yes,,,,,,,,,,"
BAD_DATES = f"{ORG},,,,laurel,3 Main St,Laurel,MD,20707,,yes,,,,,,,contracted,2026-13-01,,"
UNMAPPED = f"{ORG},,,,nowhere,4 Main St,Nowhere,MD,00001,,maybe,,,,,,,,,,"


def test_good_rows_load_bad_rows_are_reported_with_why_and_leave_nothing():
    text = csv_text(GOOD_1, GOOD_2, BAD_SPECIALTY, BAD_ZIP_AND_PHONE, UNKNOWN_ORG, BAD_DATES, UNMAPPED)

    report = directory_csv_load(text=text)

    assert (report.created, report.updated) == (1, 1)  # the second row is the same location
    reasons = {r.line: r.reason for r in report.rejected}
    assert set(reasons) == {4, 5, 6, 7, 8}
    assert "Unknown NUCC taxonomy code(s): 999ZZ0000X" in reasons[4]
    assert "ZIP '2140' is not 5 digits" in reasons[5] and "phone 'call us'" in reasons[5]
    assert "is not in the directory: give organization_name" in reasons[6]
    assert "not a date" in reasons[7]
    assert "accepting_new_patients 'maybe'" in reasons[8]
    # Nothing of a rejected row was written: no practitioner of line 4, no location of 5 to 8.
    assert not Practitioner.objects.filter(npi=DOC3).exists()
    assert set(PracticeLocation.objects.values_list("code", flat=True)) == {"towson"}
    assert not ProviderOrganization.objects.filter(npi=valid_npi(91005)).exists()
    site = PracticeLocation.objects.get(code="towson")
    assert site.latitude is not None and site.services.get().code == "93306"
    # A row naming a practitioner gives the practitioner's own status.
    ada = Practitioner.objects.get(npi=DOC1)
    assert network_status_on(organization=site.organization, practitioner=ada, on=date(2026, 6, 1)) == "contracted"
    assert network_status_on(organization=site.organization, on=date(2026, 6, 1)) == "out_of_network"
    options = referral_options(specialty=CARDIOLOGY, near_zip="21201", on=date(2026, 6, 1))
    assert [(o.practitioner_name, o.accepting_new_patients) for o in options] == [
        ("Ada Stone, MD", True),
        ("Ben Lake, DO", False),
    ]


def test_loading_the_same_file_twice_changes_nothing():
    text = csv_text(GOOD_1, GOOD_2)
    directory_csv_load(text=text)

    def counts():
        return [m.objects.count() for m in (PracticeLocation, NetworkParticipation, Practitioner)]

    before = counts()

    report = directory_csv_load(text=text)

    assert (report.created, report.updated, report.rejected) == (0, 2, [])
    assert counts() == before


def test_overlapping_network_period_rejects_the_row_whole():
    organization = OrganizationFactory(npi=ORG)
    network(organization, "out_of_network", effective_date=date(2025, 1, 1))
    row = f"{ORG},,,,towson,1 York Rd,Towson,MD,21204,,yes,,,,,,,contracted,2026-01-01,,"

    report = directory_csv_load(text=csv_text(row))

    assert "Overlaps the out of network period from 2025-01-01" in report.rejected[0].reason
    assert not PracticeLocation.objects.exists()  # the location of that row was not kept


def test_a_practitioner_of_another_organization_is_refused():
    directory_csv_load(text=csv_text(GOOD_1))
    other = OrganizationFactory()
    row = f"{other.npi},,,,main,1 Main St,Towson,MD,21204,,yes,{DOC1},,,,,,,,,"

    report = directory_csv_load(text=csv_text(row))

    assert "belongs to Harbor Heart" in report.rejected[0].reason


def test_a_file_without_the_required_columns_is_refused_whole():
    with pytest.raises(ValidationFailed) as raised:
        directory_csv_load(text="npi,name\n1,2\n")
    assert "lacks organization_npi" in raised.value.message


def test_admin_loads_and_shows_the_rejected_rows(client, admin_user):
    client.force_login(admin_user)
    upload = SimpleUploadedFile("directory.csv", csv_text(GOOD_1, BAD_SPECIALTY).encode(), content_type="text/csv")

    response = client.post("/admin/cases/practicelocation/load-csv/", {"file": upload})

    assert response.status_code == 200
    html = response.content.decode()
    assert "1 location added, 0 updated, 1 row rejected." in html
    assert "Unknown NUCC taxonomy code(s): 999ZZ0000X" in html


def test_nurse_may_not_load_the_directory(client, nurse):
    nurse.is_staff = True
    nurse.save(update_fields=["is_staff"])
    client.force_login(nurse)
    upload = SimpleUploadedFile("directory.csv", csv_text(GOOD_1).encode(), content_type="text/csv")

    response = client.post("/admin/cases/practicelocation/load-csv/", {"file": upload})

    assert response.status_code in (302, 403)
    assert not PracticeLocation.objects.exists()


def test_admin_location_save_sets_the_zip_centroid(client, admin_user):
    organization = OrganizationFactory()
    client.force_login(admin_user)

    response = client.post(
        "/admin/cases/practicelocation/add/",
        {
            "organization": organization.pk,
            "code": "main",
            "address_line1": "1 Main St",
            "city": "Rockville",
            "state": "MD",
            "zip_code": "20850",
            "accepting_new_patients": "on",
            "active": "on",
            "practice_sites-TOTAL_FORMS": "0",
            "practice_sites-INITIAL_FORMS": "0",
            "services-TOTAL_FORMS": "0",
            "services-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    site = PracticeLocation.objects.get()
    assert site.latitude == pytest.approx(39.087) and site.longitude == pytest.approx(-77.168)


def test_admin_refuses_an_overlapping_network_period(client, admin_user):
    organization = OrganizationFactory()
    network(organization, "contracted", effective_date=date(2026, 1, 1))
    client.force_login(admin_user)

    response = client.post(
        "/admin/cases/networkparticipation/add/",
        {"organization": organization.pk, "status": "out_of_network", "effective_date": "2026-03-01"},
    )

    assert response.status_code == 200
    assert "Overlaps the contracted network period" in response.content.decode()
    assert NetworkParticipation.objects.count() == 1


def test_command_prints_the_report(tmp_path):
    path = tmp_path / "directory.csv"
    path.write_text(csv_text(GOOD_1, BAD_SPECIALTY))
    out = []

    class Out:
        def write(self, text):
            out.append(text)

        def flush(self):
            pass

    call_command("load_directory", str(path), stdout=Out())

    assert "1 locations added, 0 updated, 1 rejected." in "".join(out)
    assert "line 3: Unknown NUCC taxonomy code(s): 999ZZ0000X" in "".join(out)
