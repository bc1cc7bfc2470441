"""The shipped configuration comes back after a flush, and never overwrites an admin's."""

import pytest

from notifications.apps import contact_lines_ensure
from notifications.models import ContactLine

pytestmark = pytest.mark.django_db


def test_empty_lines_table_is_refilled_with_the_shipped_configuration():
    ContactLine.objects.update(fallback=None)
    ContactLine.objects.all().delete()
    contact_lines_ensure(sender=None)
    assert list(ContactLine.objects.values_list("key", flat=True)) == [
        "umoc",
        "umoc_urgent",
        "weekend_holiday",
        "referral_fax",
        "member_services",
        "provider_experience",
    ]
    assert ContactLine.objects.get(key="umoc_urgent").fallback.key == "weekend_holiday"


def test_existing_configuration_is_left_alone():
    ContactLine.objects.filter(key="umoc").update(phone="800-555-0100")
    contact_lines_ensure(sender=None)
    assert ContactLine.objects.get(key="umoc").phone == "800-555-0100"
    assert ContactLine.objects.count() == 6
