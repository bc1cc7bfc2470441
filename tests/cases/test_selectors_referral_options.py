"""Referral options (issue 20, items 1 and 2): network status by date, nearest first with
deterministic ties, bad input, locations without coordinates. On PostgreSQL."""

from datetime import date

import pytest

from cases.models import NetworkStatus, PracticeLocation
from cases.selectors_directory import network_status_on, provider_network, referral_options
from cases.zipgeo import distance_miles, zip_centroid
from tests.directory_factories import CARDIOLOGY, cardiologist_at, location_at, network
from tests.factories import OrganizationFactory, PractitionerFactory
from um_portal.exceptions import ValidationFailed

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DAY = date(2026, 6, 1)


def names(options):
    return [o.practitioner_name.split(",")[0].split()[-1] for o in options]


def test_network_status_follows_effective_dates_and_practitioner_wins():
    organization = OrganizationFactory()
    practitioner = PractitionerFactory(organization=organization)
    network(organization, "contracted", effective_date=date(2026, 1, 1), end_date=date(2026, 6, 30))
    network(organization, "plan_medical_center", effective_date=date(2026, 7, 1))
    network(practitioner, "out_of_network", effective_date=date(2026, 3, 1), end_date=date(2026, 3, 31))

    def status(day, **kw):
        return network_status_on(organization=organization, on=day, **kw)

    assert status(date(2025, 12, 31)) == NetworkStatus.OUT_OF_NETWORK  # before any period
    assert status(date(2026, 1, 1)) == NetworkStatus.CONTRACTED  # first day in force
    assert status(date(2026, 6, 30)) == NetworkStatus.CONTRACTED  # end date is the last day
    assert status(date(2026, 7, 1)) == NetworkStatus.PLAN_MEDICAL_CENTER
    assert status(date(2026, 3, 15), practitioner=practitioner) == NetworkStatus.OUT_OF_NETWORK
    assert status(date(2026, 4, 1), practitioner=practitioner) == NetworkStatus.CONTRACTED


def test_line_of_business_period_wins_over_every_line():
    organization = OrganizationFactory()
    network(organization, "contracted")
    network(organization, "out_of_network", line_of_business="medicaid")
    assert network_status_on(organization=organization, line_of_business="medicaid", on=DAY) == "out_of_network"
    assert network_status_on(organization=organization, line_of_business="commercial", on=DAY) == "contracted"
    assert network_status_on(organization=organization, on=DAY) == "contracted"


def test_options_by_date_only_list_providers_in_network_that_day():
    ended, _ = cardiologist_at("21202", status=None, last_name="Ended")
    network(ended.organization, "contracted", end_date=date(2026, 5, 31))
    later, _ = cardiologist_at("21218", status=None, last_name="Later")
    network(later.organization, "contracted", effective_date=date(2026, 6, 2))

    assert names(referral_options(specialty=CARDIOLOGY, near_zip="21201", on=date(2026, 5, 31))) == ["Ended"]
    assert names(referral_options(specialty=CARDIOLOGY, near_zip="21201", on=DAY)) == []
    assert names(referral_options(specialty=CARDIOLOGY, near_zip="21201", on=date(2026, 6, 2))) == ["Later"]


def test_options_nearest_first_out_of_network_left_out_and_distance_from_the_zip_data():
    cardiologist_at("21401", last_name="Annapolis")
    cardiologist_at("21204", last_name="Towson")
    cardiologist_at("21202", status="out_of_network", last_name="Outside")
    cardiologist_at("21218", last_name="Charles")

    options = referral_options(specialty=CARDIOLOGY, near_zip="21201", on=DAY)

    assert names(options) == ["Charles", "Towson", "Annapolis"]
    expected = distance_miles(zip_centroid("21201"), zip_centroid("21204"))
    assert options[1].distance_miles == pytest.approx(round(expected, 1))
    assert options[1].specialties == ("Cardiovascular Disease Physician",)
    assert all(o.in_network for o in options)
    everyone = referral_options(specialty=CARDIOLOGY, near_zip="21201", on=DAY, in_network_only=False)
    assert names(everyone)[0] == "Outside"


def test_ties_plan_center_then_accepting_then_names_whatever_the_insert_order():
    # All at one ZIP: the same distance.
    cardiologist_at("21204", last_name="Zeta", organization_name="B Heart")
    cardiologist_at("21204", last_name="Alpha", organization_name="B Heart", status="contracted")
    cardiologist_at("21204", last_name="Center", organization_name="Z Center", status="plan_medical_center")
    _, site = cardiologist_at("21204", last_name="Closed", organization_name="A Heart")
    PracticeLocation.objects.filter(pk=site.pk).update(accepting_new_patients=False)
    cardiologist_at("21204", last_name="Beta", organization_name="B Heart", status="contracted")

    options = referral_options(specialty=CARDIOLOGY, near_zip="21201", on=DAY)

    assert names(options) == ["Center", "Alpha", "Beta", "Zeta", "Closed"]
    assert len({o.distance_miles for o in options}) == 1
    assert [o.accepting_new_patients for o in options][-1] is False


def test_location_without_coordinates_listed_last_without_distance():
    _, site = cardiologist_at("21204", last_name="Unmapped")
    PracticeLocation.objects.filter(pk=site.pk).update(latitude=None, longitude=None)
    cardiologist_at("21401", last_name="Far")

    options = referral_options(specialty=CARDIOLOGY, near_zip="21201", on=DAY)

    assert names(options) == ["Far", "Unmapped"]
    assert options[1].distance_miles is None


def test_member_zip_unknown_still_lists_without_distance_and_says_why(member):
    cardiologist_at("21204", last_name="Towson")
    member.postal_code = "00001"
    member.save(update_fields=["postal_code"])

    options = referral_options(specialty=CARDIOLOGY, member=member, on=DAY)

    assert names(options) == ["Towson"]
    assert options[0].distance_miles is None
    assert "not in the ZIP data" in options.notes[0]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"specialty": "999XX0000X", "near_zip": "21201"}, "specialty"),
        ({"specialty": "cardiology", "near_zip": "21201"}, "specialty"),
        ({"specialty": CARDIOLOGY, "near_zip": "00001"}, "near_zip"),
        ({"specialty": CARDIOLOGY, "near_zip": "2120"}, "near_zip"),
        ({"service_code": "93-06", "near_zip": "21201"}, "service_code"),
        ({"near_zip": "21201"}, "specialty"),
    ],
)
def test_bad_input_is_a_clear_validation_error(kwargs, field):
    with pytest.raises(ValidationFailed) as raised:
        referral_options(on=DAY, **kwargs)
    assert field in raised.value.errors
    assert raised.value.message


def test_service_options_are_locations_offering_the_code():
    imaging = OrganizationFactory(name="Harbor Imaging", npi="1245319599")
    near = location_at(imaging, "21218", code="north")
    far = location_at(imaging, "21401", code="south")
    location_at(imaging, "21202", code="no-mri")
    for site in (near, far):
        site.services.create(kind="imaging", code="70551", description="MRI brain")
    network(imaging, "contracted")

    options = referral_options(service_code="70551", near_zip="21201", on=DAY)

    assert [o.location_id for o in options] == [near.pk, far.pk]
    assert options[0].practitioner_id is None and options[0].npi == "1245319599"


def test_provider_network_of_a_chosen_servicing_npi():
    outside, _ = cardiologist_at("21202", status="out_of_network", last_name="Outside")
    chosen = provider_network(npi=outside.npi, line_of_business="commercial", on=DAY, origin=zip_centroid("21201"))
    assert chosen.status == "out_of_network" and not chosen.in_network
    assert "may pay more" in chosen.meaning
    assert chosen.distance_miles is not None
    assert provider_network(npi="1999999999", line_of_business=None, on=DAY) is None
