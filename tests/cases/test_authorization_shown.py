"""Issue 19, item 1: the authorization on the provider case page, in the case API, and the
admin's claims-line import (refusing use beyond the approved units)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reviews.models import Authorization, AuthorizationUse
from reviews.services.authorizations import authorization_units_import
from reviews.services.decisions import case_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def authorized(make_case, nurse, admin_user):
    start = timezone.localdate() + timedelta(days=2)
    case = make_case(
        lines=[
            {
                "code_system": "CPT",
                "code": "97110",
                "units": 12,
                "start_date": start,
                "end_date": start + timedelta(days=60),
            }
        ]
    )
    case_approve(case_id=case.pk, actor=nurse)
    authorization = Authorization.objects.get(case=case)
    authorization_units_import(
        text=f"authorization_number,line,units,date\n{authorization.number},1,5,{start.isoformat()}\n", actor=admin_user
    )
    return authorization


def test_case_api_has_the_authorization_block(api, provider, authorized):
    body = api.as_user(provider).get(f"/api/v1/authorizations/{authorized.case_id}/").json()

    block = body["authorization"]
    # Issue 19, item 3 added siblings (servicing provider, version, history, changes).
    assert block["version"] == 1 and block["change_requests"] == []
    assert [(v["number"], v["kind"]) for v in block.pop("versions")] == [(1, "issued")]
    for sibling in ("servicing_provider", "version", "change_requests"):
        block.pop(sibling)
    for line in block["lines"]:
        assert line.pop("cancelled") is False
    assert block == {
        "number": authorized.number,
        "valid_from": authorized.valid_from.isoformat(),
        "valid_to": authorized.valid_to.isoformat(),
        "lines": [
            {
                "id": authorized.lines.get().pk,  # the contract's (API.md)
                "line_number": 1,
                "code": "97110",
                "start_date": authorized.valid_from.isoformat(),
                "end_date": authorized.valid_to.isoformat(),
                "approved_units": 12,
                "used_units": 5,  # the contract's name (API.md)
                "units_used": 5,
            }
        ],
    }


def test_undecided_case_has_no_authorization_in_the_api(api, provider, make_case):
    case = make_case()
    assert api.as_user(provider).get(f"/api/v1/authorizations/{case.pk}/").json()["authorization"] is None


def test_provider_case_page_shows_the_authorization(client, provider, authorized):
    client.force_login(provider)
    page = client.get(f"/cases/{authorized.case_id}/").content.decode()

    assert f"Authorization {authorized.number}" in page
    assert "<td>12</td><td>5</td>" in page
    # Its history says what happened once ("Issued: approved.", not "Issued: Issued: approved.").
    assert "<td>Issued: approved.</td>" in page and "Issued: Issued" not in page


def test_admin_import_refuses_use_beyond_the_approved_units(client, admin_user, authorized):
    client.force_login(admin_user)
    url = "/admin/reviews/authorization/import-claims/"
    over = f"authorization_number,line,units,date\n{authorized.number},1,8,{authorized.valid_from.isoformat()}\n"

    page = client.post(url, {"file": SimpleUploadedFile("claims.csv", over.encode())})

    assert page.status_code == 200
    assert "13 units would be used, only 12 are approved" in page.content.decode()
    assert AuthorizationUse.objects.count() == 1

    ok = f"authorization_number,line,units,date\n{authorized.number},1,7,{authorized.valid_from.isoformat()}\n"
    done = client.post(url, {"file": SimpleUploadedFile("claims.csv", ok.encode())})
    assert done.status_code == 302
    assert authorized.lines.get().units_used == 12


def test_admin_action_leads_to_the_import(client, admin_user, authorized):
    client.force_login(admin_user)
    answer = client.post(
        "/admin/reviews/authorization/",
        {"action": "claims_import_action", "_selected_action": [authorized.pk]},
    )
    assert answer.status_code == 302 and answer.url.endswith("/import-claims/")
    assert client.get(answer.url).status_code == 200


def test_only_administrators_import_claims_lines(client, nurse, authorized):
    nurse.is_staff = True
    nurse.save(update_fields=["is_staff"])
    client.force_login(nurse)
    ok = f"authorization_number,line,units,date\n{authorized.number},1,1,{authorized.valid_from.isoformat()}\n"

    client.post("/admin/reviews/authorization/import-claims/", {"file": SimpleUploadedFile("c.csv", ok.encode())})

    assert AuthorizationUse.objects.count() == 1
