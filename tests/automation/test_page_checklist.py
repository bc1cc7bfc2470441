"""The request form's criteria checklist: the boxes drawn for the codes entered, ticked
answers reach the auto-approval rules the way the API's `checklist` does, and a forged box
is a clear 400 with nothing written."""

from datetime import date

import pytest

from cases.models import AuthorizationRequest
from tests.cases.test_pages_provider import _form
from tests.factories import CriteriaVersionFactory

pytestmark = pytest.mark.django_db

ITEMS = ["Imaging shows advanced disease", "12 weeks of therapy failed"]


@pytest.fixture
def knee_criteria():
    version = CriteriaVersionFactory(effective_from=date(2020, 1, 1), indications=ITEMS)
    version.criteria_set.codes.create(code_system="CPT", code="27447")
    return version


@pytest.fixture
def checklist_rule(make_live_rule, knee_criteria):
    return make_live_rule(
        codes=["27447"], checklist={"criteria_set": knee_criteria.criteria_set.name, "indications": ITEMS}
    )


def test_ticked_checklist_on_the_page_lets_the_rule_approve(
    client, provider, member, surgeon, ortho, knee_criteria, checklist_rule
):
    client.force_login(provider)
    ticked = [f"{knee_criteria.pk}:0", f"{knee_criteria.pk}:1"]
    response = client.post("/cases/new/", _form(member, surgeon, ortho, checklist=ticked))

    assert response.status_code == 302, response.content[:500]
    case = AuthorizationRequest.objects.get()
    assert case.status == "approved"
    assert case.rule_evaluation.checklist == {knee_criteria.criteria_set.name: ITEMS}


def test_a_checklist_half_ticked_leaves_the_request_with_a_nurse(
    client, provider, member, surgeon, ortho, knee_criteria, checklist_rule
):
    client.force_login(provider)
    response = client.post("/cases/new/", _form(member, surgeon, ortho, checklist=[f"{knee_criteria.pk}:1"]))

    assert response.status_code == 302
    assert AuthorizationRequest.objects.get().status == "received"


def test_the_form_shown_again_keeps_the_checklist_and_its_ticks(
    client, provider, member, surgeon, ortho, knee_criteria
):
    client.force_login(provider)
    data = _form(member, surgeon, ortho, checklist=[f"{knee_criteria.pk}:1"], diagnosis_codes="")

    response = client.post("/cases/new/", data)

    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{knee_criteria.pk}:0">' in page and ITEMS[0] in page
    assert f'value="{knee_criteria.pk}:1" checked>' in page
    assert not AuthorizationRequest.objects.exists()


@pytest.mark.parametrize("token", ["x:1", "999999:0", "{pk}:7", "１:0"])
def test_a_forged_checklist_box_is_a_clear_error_and_nothing_is_written(
    client, provider, member, surgeon, ortho, knee_criteria, token
):
    client.force_login(provider)
    response = client.post("/cases/new/", _form(member, surgeon, ortho, checklist=[token.format(pk=knee_criteria.pk)]))

    assert response.status_code == 400
    assert "checklist item" in response.content.decode()
    assert not AuthorizationRequest.objects.exists()


def test_a_nul_or_junk_code_draws_no_checklist_and_answers_a_clear_400(client, provider, member, surgeon, ortho):
    client.force_login(provider)
    response = client.post("/cases/new/", _form(member, surgeon, ortho, **{"lines-0-code": "274\x0047"}))

    assert response.status_code == 400
    assert 'name="checklist"' not in response.content.decode()
    assert not AuthorizationRequest.objects.exists()
