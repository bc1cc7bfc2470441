"""Provider pages through the Django test client: dashboard, eligibility, the request
form, the case page and its actions."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.access import VIEW_CODENAME, case_permission_id
from cases.models import Attachment, AuthorizationRequest, CaseEvent
from reviews.models import Appeal, CriteriaCopyRequest, PeerToPeerRequest
from um_portal.models import AccessLog

from .conftest import EXE_BYTES, pdf_upload

pytestmark = pytest.mark.django_db


def _form(member, surgeon, ortho, token="form-1", **overrides):  # noqa: S107 - a form token, not a secret
    start = (timezone.localdate() + timedelta(days=20)).isoformat()
    data = {
        "idempotency_token": token,
        "member_number": member.member_number,
        "member_date_of_birth": member.date_of_birth.isoformat(),
        "requesting_provider_npi": surgeon.npi,
        "servicing_provider_npi": ortho.npi,
        "service_category": "outpatient_procedure",
        "review_type": "prospective",
        "urgency": "standard",
        "expedited_reason": "",
        "diagnosis_codes": "M17.11, M25.561",
        "place_of_service": "22",
        "clinical_summary": "Failed six months of conservative care.",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "10",
        "lines-0-code_system": "CPT",
        "lines-0-code": "27447",
        "lines-0-description": "Total knee replacement",
        "lines-0-units": "1",
        "lines-0-start_date": start,
        "lines-0-end_date": start,
        "lines-1-code_system": "CPT",
        "lines-1-units": "1",
        "lines-2-code_system": "CPT",
        "lines-2-units": "1",
    }
    data.update(overrides)
    return data


# --- dashboard -----------------------------------------------------------------------


def test_dashboard_lists_the_organizations_requests_with_due_time(client, provider, make_case, imaging):
    mine = make_case()
    other = make_case(requesting_organization=imaging, servicing_organization=imaging, requesting_practitioner=None)
    client.force_login(provider)
    page = client.get("/cases/").content.decode()
    assert mine.reference in page
    assert other.reference not in page
    assert "left" in page  # time_left
    assert AccessLog.objects.filter(user=provider, object_id=str(mine.pk), how="page").count() == 1


def test_dashboard_filters(client, provider, make_case):
    fast = make_case(urgency="expedited", expedited_reason="x")
    slow = make_case()
    client.force_login(provider)
    page = client.get("/cases/", {"urgency": "expedited"}).content.decode()
    assert fast.reference in page and slow.reference not in page
    page = client.get("/cases/", {"q": slow.reference}).content.decode()
    assert slow.reference in page and fast.reference not in page
    page = client.get("/cases/", {"status": "denied"}).content.decode()
    assert "No requests match" in page


@pytest.mark.parametrize("n_cases", [5, 50])
def test_dashboard_query_count_is_constant(client, provider, make_case, django_assert_num_queries, n_cases):
    for _ in range(n_cases):
        make_case()
    case_permission_id(VIEW_CODENAME)  # read once per process
    client.force_login(provider)
    # 1 session, 2 the user with their groups (role), 3 the page of cases (a UNION of the
    # organization's two indexes, no joins, no count), 4 their members, organizations and
    # practitioners by id in one statement, 5 their service lines (prefetch),
    # 6 one insert of the access-log rows, 7 the user's organization (page header),
    # 8 unread notifications (nav), the worklist (issue 22, item 2): 9 open pends, 10 talks
    # offered or scheduled, 11 approved lines ending soon, 12 cases decided this week;
    # 13-15 the session renewed, the first page since signing in (savepoint, update, release)
    # (SQLite, `make run`, reads the groups apart, the two organizations' cases in two
    # queries and each related table in one: four more)
    # A pended row's open pend is one more query, only when the page has pended rows.
    with django_assert_num_queries(15 if connection.vendor == "postgresql" else 19):
        response = client.get("/cases/")
    assert response.status_code == 200
    assert response.content.decode().count('href="/cases/') >= min(n_cases, 25)


def test_dashboard_pages_older_and_newer_by_cursor(client, provider, make_case):
    made = [make_case() for _ in range(27)]
    client.force_login(provider)
    first = client.get("/cases/").content.decode()
    assert made[-1].reference in first and made[0].reference not in first
    older = re.search(r'href="\?cursor=([^"]+)">Older', first).group(1)
    second = client.get("/cases/", {"cursor": older}).content.decode()
    assert made[0].reference in second and made[1].reference in second and made[-1].reference not in second
    newer = re.search(r'href="\?cursor=([^"]+)">', second).group(1)
    assert made[-1].reference in client.get("/cases/", {"cursor": newer}).content.decode()


# --- eligibility ---------------------------------------------------------------------


def test_eligibility_page_shows_coverage_and_logs_the_member_read(client, provider, member):
    client.force_login(provider)
    page = client.post("/cases/eligibility/", {"member_number": "M100001", "date_of_birth": "1961-04-02"})
    text = page.content.decode()
    assert "is <strong>eligible</strong>" in text
    assert "Test Choice PPO" in text
    assert AccessLog.objects.filter(user=provider, object_kind="member", how="page").count() == 1


def test_eligibility_page_wrong_birth_date_and_missing_fields(client, provider, member):
    client.force_login(provider)
    text = client.post(
        "/cases/eligibility/", {"member_number": "M100001", "date_of_birth": "1961-04-03"}
    ).content.decode()
    assert "No member matches" in text
    text = client.post("/cases/eligibility/", {"member_number": "M100001"}).content.decode()
    assert "This field is required" in text
    assert AccessLog.objects.count() == 0


# --- the request form ----------------------------------------------------------------


def test_submit_form_creates_the_case_with_its_document(client, provider, member, surgeon, ortho):
    client.force_login(provider)
    assert client.get("/cases/new/").status_code == 200
    data = _form(member, surgeon, ortho, documents=pdf_upload("clinic note.pdf"))
    response = client.post("/cases/new/", data)
    case = AuthorizationRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.pk}/?submitted=1"
    assert case.channel == "portal" and case.submitted_by == provider
    assert [d.code for d in case.diagnoses.all()] == ["M17.11", "M25.561"]
    assert case.lines.count() == 1
    assert case.attachments.get().original_name == "clinic note.pdf"
    detail = client.get(response["Location"]).content.decode()
    assert case.reference in detail and "Request received" in detail


def test_double_submit_with_the_same_form_token_creates_one_case(client, provider, member, surgeon, ortho):
    client.force_login(provider)
    first = client.post("/cases/new/", _form(member, surgeon, ortho, token="same"))
    second = client.post("/cases/new/", _form(member, surgeon, ortho, token="same"))
    assert AuthorizationRequest.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_form_shows_every_problem_and_writes_nothing(client, provider, member, surgeon, ortho):
    client.force_login(provider)
    response = client.post(
        "/cases/new/", _form(member, surgeon, ortho, urgency="expedited", **{"lines-0-code": "2744"})
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Say why this request is expedited" in text
    assert AuthorizationRequest.objects.count() == 0


def test_duplicate_needs_the_confirmation_checkbox(client, provider, member, surgeon, ortho):
    client.force_login(provider)
    client.post("/cases/new/", _form(member, surgeon, ortho, token="a"))
    response = client.post("/cases/new/", _form(member, surgeon, ortho, token="b"))
    assert response.status_code == 409
    assert 'id="duplicate-warning"' in response.content.decode()
    assert 'name="confirm_duplicate"' in response.content.decode()
    confirmed = client.post("/cases/new/", _form(member, surgeon, ortho, token="b", confirm_duplicate="on"))
    assert confirmed.status_code == 302
    assert AuthorizationRequest.objects.count() == 2


def test_renamed_executable_is_refused_and_no_case_is_created(client, provider, member, surgeon, ortho):
    client.force_login(provider)
    bad = SimpleUploadedFile("scan.pdf", EXE_BYTES, content_type="application/pdf")
    response = client.post("/cases/new/", _form(member, surgeon, ortho, documents=bad))
    assert response.status_code == 415
    assert "Only PDF, PNG, JPEG and TIFF" in response.content.decode()
    assert AuthorizationRequest.objects.count() == 0 and Attachment.objects.count() == 0


def test_staff_form_offers_channel_and_received_at(client, nurse, provider, member, surgeon, ortho):
    client.force_login(nurse)
    assert 'name="channel"' in client.get("/cases/new/").content.decode()
    arrived = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/cases/new/", _form(member, surgeon, ortho, channel="fax", received_at=arrived))
    assert response.status_code == 302
    assert AuthorizationRequest.objects.get().channel == "fax"
    client.force_login(provider)
    assert 'name="channel"' not in client.get("/cases/new/").content.decode()


# --- the case page and its actions ---------------------------------------------------


def test_case_page_shows_everything_and_logs_the_read(client, provider, make_case, pended):
    case = make_case()
    pended(case)
    client.force_login(provider)
    text = client.get(f"/cases/{case.pk}/").content.decode()
    for expected in (
        case.reference,
        "Pended for information",
        "Send the last two clinic notes",
        "Timeline",
        'id="respond-form"',
        'id="withdraw-form"',
        'id="upload-form"',
    ):
        assert expected in text, expected
    assert 'id="appeal-form"' not in text
    assert AccessLog.objects.filter(user=provider, object_kind="case", how="page").count() == 1


def test_staff_can_open_the_case_page(client, nurse, make_case):
    case = make_case()
    client.force_login(nurse)
    assert client.get(f"/cases/{case.pk}/").status_code == 200


def test_respond_from_the_page_returns_the_case_to_review(client, provider, make_case, pended):
    case = make_case()
    pended(case)
    client.force_login(provider)
    response = client.post(f"/cases/{case.pk}/respond/", {"text": "Notes attached.", "documents": pdf_upload()})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "in_review"
    assert case.attachments.count() == 1


def test_withdraw_appeal_peer_to_peer_and_criteria_from_the_page(client, provider, make_case, decided):
    open_case, denied = make_case(), make_case()
    decided(denied)
    client.force_login(provider)
    client.post(f"/cases/{open_case.pk}/withdraw/", {"reason": "No longer needed."})
    open_case.refresh_from_db()
    assert open_case.status == "withdrawn"

    text = client.get(f"/cases/{denied.pk}/").content.decode()
    assert 'id="appeal-form"' in text and 'id="p2p-form"' in text and 'id="criteria-form"' in text
    client.post(f"/cases/{denied.pk}/appeal/", {"reason": "New imaging shows progression.", "expedited": "on"})
    client.post(f"/cases/{denied.pk}/peer-to-peer/", {"phone": "410-555-0100", "preferred_times": "Tue 2-4; Wed am"})
    client.post(f"/cases/{denied.pk}/criteria-copy/")
    assert Appeal.objects.get(case=denied).expedited is True
    assert PeerToPeerRequest.objects.get(case=denied).preferred_times == ["Tue 2-4", "Wed am"]
    assert CriteriaCopyRequest.objects.filter(case=denied).count() == 1
    text = client.get(f"/cases/{denied.pk}/").content.decode()
    assert "Appeal filed" in text and 'id="appeal-form"' not in text


def test_refused_action_shows_a_message(client, provider, make_case):
    case = make_case()
    client.force_login(provider)
    response = client.post(f"/cases/{case.pk}/appeal/", {"reason": "x"}, follow=True)
    assert "possible only after a denial" in response.content.decode()
    assert Appeal.objects.count() == 0


def test_document_download_from_the_page_is_logged(client, provider, make_case):
    case = make_case()
    client.force_login(provider)
    client.post(f"/cases/{case.pk}/documents/", {"file": pdf_upload(), "description": "MRI"})
    doc = case.attachments.get()
    response = client.get(f"/cases/{case.pk}/documents/{doc.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert AccessLog.objects.filter(object_kind="attachment", object_id=str(doc.pk), how="download").count() == 1


# --- the cross-organization matrix on pages ------------------------------------------


def test_stranger_organization_gets_404_on_every_page_and_nothing_is_written(
    client, provider, provider2, make_case, pended, decided
):
    open_case, denied = make_case(), make_case()
    pended(open_case)
    decided(denied)
    client.force_login(provider)
    client.post(f"/cases/{open_case.pk}/documents/", {"file": pdf_upload()})
    doc = open_case.attachments.get()
    before = (
        CaseEvent.objects.count(),
        Attachment.objects.count(),
        AccessLog.objects.count(),
        Appeal.objects.count(),
        PeerToPeerRequest.objects.count(),
        CriteriaCopyRequest.objects.count(),
        sorted(AuthorizationRequest.objects.values_list("status", flat=True)),
    )
    client.force_login(provider2)
    calls = [
        ("get", f"/cases/{open_case.pk}/", {}),
        ("get", f"/cases/{open_case.pk}/documents/{doc.pk}/", {}),
        ("post", f"/cases/{open_case.pk}/documents/", {"file": pdf_upload()}),
        ("post", f"/cases/{open_case.pk}/respond/", {"text": "mine"}),
        ("post", f"/cases/{open_case.pk}/withdraw/", {"reason": "mine"}),
        ("post", f"/cases/{denied.pk}/criteria-copy/", {}),
        ("post", f"/cases/{denied.pk}/peer-to-peer/", {"phone": "410-555-0100"}),
        ("post", f"/cases/{denied.pk}/appeal/", {"reason": "mine"}),
    ]
    for method, url, data in calls:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (url, response.status_code)
    after = (
        CaseEvent.objects.count(),
        Attachment.objects.count(),
        AccessLog.objects.count(),
        Appeal.objects.count(),
        PeerToPeerRequest.objects.count(),
        CriteriaCopyRequest.objects.count(),
        sorted(AuthorizationRequest.objects.values_list("status", flat=True)),
    )
    assert after == before
    assert open_case.reference not in client.get("/cases/").content.decode()


@pytest.mark.django_db
def test_case_page_links_to_the_exact_criteria_text_of_the_decision(client, provider, make_case, decided):
    from datetime import date

    from criteria.models import CriteriaSet, CriteriaVersion

    version = CriteriaVersion.objects.create(
        criteria_set=CriteriaSet.objects.create(name="Knee replacement", source="internal"),
        version="2026.2",
        effective_from=date(2026, 1, 1),
        text="Twelve weeks of conservative treatment first.",
    )
    case = make_case()
    decided(case, criteria=[version])
    client.force_login(provider)

    page = client.get(f"/cases/{case.pk}/").content.decode()
    link = f"/reviews/cases/{case.pk}/decision/"
    assert f'href="{link}"' in page

    criteria_page = client.get(link)
    assert criteria_page.status_code == 200
    assert "Twelve weeks of conservative treatment first." in criteria_page.content.decode()


def test_an_appeal_takes_supporting_documents_all_or_nothing(client, provider, make_case, decided):
    """Issue 22, item 8."""
    denied, other = make_case(), make_case()
    decided(denied)
    decided(other)
    client.force_login(provider)

    client.post(f"/cases/{denied.pk}/appeal/", {"reason": "New imaging.", "documents": pdf_upload("mri.pdf")})
    bad = SimpleUploadedFile("scan.pdf", EXE_BYTES, content_type="application/pdf")
    refused = client.post(f"/cases/{other.pk}/appeal/", {"reason": "New imaging.", "documents": bad}, follow=True)

    assert Appeal.objects.filter(case=denied).count() == 1
    assert list(denied.attachments.values_list("original_name", flat=True)) == ["mri.pdf"]
    assert "Only PDF, PNG, JPEG and TIFF" in refused.content.decode()
    assert not Appeal.objects.filter(case=other).exists() and not other.attachments.exists()


def test_case_page_query_count(client, provider, make_case, decided, django_assert_num_queries):
    case = make_case()
    decided(case)
    case_permission_id(VIEW_CODENAME)
    client.force_login(provider)
    # 1 session, 2 the user with their groups (role), 3 the case by id, its grant checked on
    # it, with the probes of which related tables hold its rows (reviews.selectors.case_detail),
    # its member, coverage, organizations and practitioners joined and its diagnoses, lines
    # and events (with their actors) as JSON (a prepared statement), then only the other
    # relations it has rows in, by case id: 4 the current decision, 5 its criteria (no
    # documents, pends, appeals, letters, peer-to-peers, extension, authorization or change
    # requests here); nobody assigned; 6 the access-log insert, 7 the case's notices marked
    # read, 8 unread notifications (nav), 9 the user's organization (page header), 10-14 the
    # contact lines with their hours, phones and inquiries and the plan closures (footer),
    # 15-17 the session renewed, the first page since signing in (savepoint, update, release)
    with django_assert_num_queries(17):
        response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
