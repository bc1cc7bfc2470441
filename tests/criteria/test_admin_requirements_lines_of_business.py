"""Coverage requirements' lines of business are ticked in the admin, not typed as JSON
(issue 22, item 8)."""

import pytest

from criteria.admin import CoverageRequirementForm

pytestmark = pytest.mark.django_db


def test_the_add_page_offers_each_line_of_business_as_a_checkbox(client, admin_user):
    client.force_login(admin_user)

    html = client.get("/admin/criteria/coveragerequirement/add/").content.decode()

    for value, label in (("medicare_advantage", "Medicare Advantage"), ("chip", "CHIP")):
        assert f'type="checkbox" name="lines_of_business" value="{value}"' in html and label in html


def test_ticked_lines_of_business_clean_to_the_stored_list():
    form = CoverageRequirementForm(data={"lines_of_business": ["medicaid", "chip"]})
    form.is_valid()

    assert form.cleaned_data["lines_of_business"] == ["medicaid", "chip"]
    assert "lines_of_business" not in form.errors
