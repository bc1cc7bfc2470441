"""The request form lists every problem of a submit at once, in a summary whose links lead
to each field, and says plainly which files to attach again (issue 22, item 3)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Attachment, AuthorizationRequest

from .conftest import pdf_upload
from .test_pages_provider import _form

pytestmark = pytest.mark.django_db


def _summary_links(html: str) -> dict[str, str]:
    summary = html[html.index('id="error-summary"') : html.index("</div>", html.index('id="error-summary"'))]
    return dict(re.findall(r'<a href="#([^"]+)" data-focus="[^"]+">([^<]+)</a>', summary))


def test_one_submit_lists_missing_fields_lines_and_npis_with_links_to_each(client, provider, member, surgeon, ortho):
    client.force_login(provider)
    start = timezone.localdate() + timedelta(days=20)
    data = _form(
        member, surgeon, ortho,
        service_category="",
        servicing_provider_npi="1234567890",
        documents=pdf_upload("clinic note.pdf"),
        **{"lines-0-end_date": (start - timedelta(days=3)).isoformat()},
    )  # fmt: skip

    response = client.post("/cases/new/", data)

    assert response.status_code == 400
    links = _summary_links(response.content.decode())
    assert links["id_service_category"].startswith("Service category:")
    assert "not a valid NPI" in links["id_servicing_provider_npi"]
    assert "Line 1: the end date" in links["id_lines-0-code"]
    assert "Re-attach 1 file (clinic note.pdf)" in links["id_documents"]
    assert AuthorizationRequest.objects.count() == 0 and Attachment.objects.count() == 0


def test_a_bad_line_row_and_an_unknown_member_come_back_together(client, provider, member, surgeon, ortho):
    client.force_login(provider)

    response = client.post(
        "/cases/new/", _form(member, surgeon, ortho, member_number="M999999", **{"lines-0-units": "0"})
    )

    links = _summary_links(response.content.decode())
    assert response.status_code == 400
    assert "No member matches" in links["id_member_number"]
    assert links["id_lines-0-units"].startswith("Line 1, Units:")


def test_service_category_starts_blank(client, provider):
    client.force_login(provider)

    html = client.get("/cases/new/").content.decode()

    select = html[
        html.index('name="service_category"') : html.index("</select>", html.index('name="service_category"'))
    ]
    assert '<option value="" selected>' in select
    assert "error-summary" not in html
