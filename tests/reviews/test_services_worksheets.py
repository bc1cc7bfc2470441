"""The reviewer's worksheet (issue 16, item 1): a draft per reviewer, answers only for the
criteria in force on the case, evidence for a finding, frozen and pinned to the decision,
read-only afterwards and shown to everyone party to the case."""

import pytest
from django.urls import reverse

from cases.services.attachments import attachment_add
from reviews.models import Worksheet, WorksheetAnswer
from reviews.services.decisions import case_deny
from reviews.services.pends import case_route_to_physician
from reviews.services.worksheets import worksheet_save
from tests.cases.conftest import pdf_upload
from tests.factories import CriteriaVersionFactory
from um_portal.exceptions import Conflict, NotAllowed, NotFound, ValidationFailed

from .helpers import PASSWORD, knee_criteria

pytestmark = pytest.mark.django_db


def _saved() -> list:
    return list(WorksheetAnswer.objects.order_by("pk").values_list("worksheet_id", "answer", "evidence_note"))


@pytest.fixture
def knee(make_case, provider):
    version = knee_criteria()  # indications: imaging, 12 weeks of therapy
    case = make_case()
    document = attachment_add(case=case, user=provider, upload=pdf_upload("pt-notes.pdf"))
    return case, version, document


def test_nurse_saves_a_draft_with_evidence_and_saving_again_replaces_it(knee, nurse):
    case, version, document = knee

    worksheet_save(case_id=case.pk, actor=nurse, answers=[
        {"criteria_id": version.pk, "index": 0, "answer": "met", "attachment": str(document.pk), "page": "3"},
        {"criteria_id": version.pk, "index": 1, "answer": "not_met", "note": "4 weeks of PT only."},
    ])  # fmt: skip
    sheet = worksheet_save(case_id=case.pk, actor=nurse, answers=[
        {"criteria_id": version.pk, "index": 1, "answer": "not_documented"},
    ])  # fmt: skip

    assert Worksheet.objects.filter(case=case).count() == 1
    assert sheet.reviewer_role == "nurse" and not sheet.is_frozen
    assert list(sheet.answers.values_list("indication", "answer")) == [("12 weeks of therapy failed", "not_documented")]


def test_two_reviewers_drafts_never_mix(knee, nurse, nurse2):
    case, version, _ = knee

    mine = worksheet_save(case_id=case.pk, actor=nurse, answers=[
        {"criteria_id": version.pk, "index": 0, "answer": "not_applicable"},
    ])  # fmt: skip
    theirs = worksheet_save(case_id=case.pk, actor=nurse2, answers=[
        {"criteria_id": version.pk, "index": 0, "answer": "met", "note": "MRI report."},
    ])  # fmt: skip

    assert mine.pk != theirs.pk
    assert list(mine.answers.values_list("answer", flat=True)) == ["not_applicable"]
    assert list(theirs.answers.values_list("answer", flat=True)) == ["met"]


@pytest.mark.parametrize(
    "answer, msg",
    [
        ({"criteria_id": "OTHER", "index": 0, "answer": "met", "note": "x"}, "is not in force on this case"),
        ({"index": 7, "answer": "met", "note": "x"}, "has no criterion 8"),
        ({"index": 0, "answer": "maybe"}, "choose met, not met"),
        ({"index": 0, "answer": "not_met"}, "give the evidence"),
        ({"index": 0, "answer": "met", "page": "2", "note": "x"}, "a page needs the document"),
        ({"index": 0, "answer": "met", "attachment": "OTHER-DOC"}, "must be a document of this case"),
        ({"index": "a", "answer": "met", "note": "x"}, "is not a number"),
    ],
)
def test_bad_answer_is_refused_with_a_clear_error_and_nothing_is_saved(knee, nurse, make_case, provider, answer, msg):
    case, version, _ = knee
    other_version = CriteriaVersionFactory()  # not mapped to this case's codes
    other_doc = attachment_add(case=make_case(), user=provider, upload=pdf_upload())
    answer = dict(answer)
    answer["criteria_id"] = {"OTHER": other_version.pk}.get(answer.get("criteria_id"), version.pk)
    if answer.get("attachment") == "OTHER-DOC":
        answer["attachment"] = str(other_doc.pk)
    good = {"criteria_id": version.pk, "index": 1, "answer": "not_applicable"}

    with pytest.raises(ValidationFailed, match=msg) as err:
        worksheet_save(case_id=case.pk, actor=nurse, answers=[good, answer])

    assert "answers" in err.value.errors
    assert not Worksheet.objects.exists() and _saved() == []


def test_only_reviewers_who_may_work_the_case_save_and_nothing_is_written(knee, nurse, provider, provider2, admin_user):
    case, version, _ = knee
    answer = [{"criteria_id": version.pk, "index": 0, "answer": "not_applicable"}]

    with pytest.raises(NotFound):
        worksheet_save(case_id=case.pk, actor=provider2, answers=answer)
    with pytest.raises(NotAllowed):
        worksheet_save(case_id=case.pk, actor=provider, answers=answer)
    with pytest.raises((NotAllowed, NotFound)):
        worksheet_save(case_id=case.pk, actor=admin_user, answers=answer)
    case_route_to_physician(case_id=case.pk, actor=nurse, note="Needs a physician.")
    with pytest.raises(Conflict, match="with a physician"):
        worksheet_save(case_id=case.pk, actor=nurse, answers=answer)

    assert not Worksheet.objects.exists()


def test_decision_freezes_every_draft_and_pins_it_then_no_one_edits(knee, nurse, physician):
    case, version, _ = knee
    nurse_sheet = worksheet_save(case_id=case.pk, actor=nurse, answers=[
        {"criteria_id": version.pk, "index": 1, "answer": "not_met", "note": "4 weeks of PT."},
    ])  # fmt: skip
    case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
    md_sheet = worksheet_save(case_id=case.pk, actor=physician, answers=[
        {"criteria_id": version.pk, "index": 0, "answer": "not_met", "note": "No weight-bearing films."},
        {"criteria_id": version.pk, "index": 1, "answer": "not_met", "note": "4 weeks of PT."},
    ])  # fmt: skip

    decision = case_deny(
        case_id=case.pk, actor=physician, basis="medical_necessity", reason="Criteria not met.",
        reason_code="MN01", criteria_ids=[version.pk], password=PASSWORD,
    )  # fmt: skip

    frozen = {w.pk: w for w in Worksheet.objects.filter(decision=decision)}
    assert set(frozen) == {nurse_sheet.pk, md_sheet.pk}
    assert all(w.frozen_at == decision.decided_at for w in frozen.values())
    before = _saved()
    with pytest.raises(Conflict, match="already denied"):
        worksheet_save(case_id=case.pk, actor=physician, answers=[])
    assert _saved() == before


# Pages: the physician sees the nurse's draft beside their own; the decision page shows the
# frozen worksheets, read-only, to the provider party to the case.


def test_physician_sees_the_nurses_worksheet_beside_their_own(client, knee, nurse, physician):
    case, version, _ = knee
    worksheet_save(case_id=case.pk, actor=nurse, answers=[
        {"criteria_id": version.pk, "index": 1, "answer": "not_met", "note": "Only 4 weeks of PT."},
    ])  # fmt: skip
    case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
    client.force_login(physician)

    page = client.post(
        reverse("reviews:worksheet", args=[case.pk]),
        {f"ws-{version.pk}-0-answer": "met", f"ws-{version.pk}-0-note": "MRI shows grade 4 changes.",
         f"ws-{version.pk}-1-answer": "", f"ws-{version.pk}-1-note": ""},
        follow=True,
    )  # fmt: skip

    html = page.content.decode()
    assert page.status_code == 200 and "Worksheet saved" in html
    assert 'id="worksheet-mine"' in html and "Only 4 weeks of PT." in html and "(nurse," in html
    mine = Worksheet.objects.get(reviewer=physician)
    assert list(mine.answers.values_list("answer", "evidence_note")) == [("met", "MRI shows grade 4 changes.")]


def test_a_refused_worksheet_post_shows_the_error_and_saves_nothing(client, knee, nurse):
    case, version, _ = knee
    client.force_login(nurse)

    page = client.post(
        reverse("reviews:worksheet", args=[case.pk]),
        {f"ws-{version.pk}-0-answer": "not_met", f"ws-{version.pk}-1-note": "Kept as typed"},
    )

    html = page.content.decode()
    assert page.status_code == 400 and "give the evidence" in html
    assert '<option value="not_met" selected>' in html and 'value="Kept as typed"' in html
    assert not Worksheet.objects.exists()


def test_provider_reads_the_frozen_worksheets_on_the_decision_page(client, knee, nurse, physician, provider):
    case, version, document = knee
    case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
    worksheet_save(case_id=case.pk, actor=physician, answers=[
        {"criteria_id": version.pk, "index": 0, "answer": "not_met", "attachment": str(document.pk), "page": "2"},
        {"criteria_id": version.pk, "index": 1, "answer": "not_documented"},
    ])  # fmt: skip
    case_deny(
        case_id=case.pk, actor=physician, basis="medical_necessity", reason="Criteria not met.",
        reason_code="MN01", criteria_ids=[version.pk], password=PASSWORD,
    )  # fmt: skip
    client.force_login(provider)

    html = client.get(reverse("reviews:decision", args=[case.pk])).content.decode()

    assert 'id="decision-worksheets"' in html
    assert "Imaging shows advanced disease" in html and "pt-notes.pdf, page 2" in html and "Not documented" in html
    assert "<form" not in html.split('id="decision-worksheets"')[1]


@pytest.mark.postgres
def test_the_database_refuses_any_change_to_a_frozen_worksheet(knee, nurse, physician):
    from django.db import DatabaseError, transaction

    case, version, _ = knee
    case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
    sheet = worksheet_save(case_id=case.pk, actor=physician, answers=[
        {"criteria_id": version.pk, "index": 0, "answer": "not_met", "note": "No films."},
    ])  # fmt: skip
    case_deny(
        case_id=case.pk, actor=physician, basis="medical_necessity", reason="Criteria not met.",
        reason_code="MN01", criteria_ids=[version.pk], password=PASSWORD,
    )  # fmt: skip
    before = _saved()

    for change in (
        lambda: WorksheetAnswer.objects.filter(worksheet=sheet).update(answer="met"),
        lambda: WorksheetAnswer.objects.filter(worksheet=sheet).delete(),
        lambda: WorksheetAnswer.objects.create(
            worksheet=sheet, criteria_version=version, indication_index=1, indication="x", answer="met"
        ),
        lambda: Worksheet.objects.filter(pk=sheet.pk).update(frozen_at=None, decision=None),
    ):
        with pytest.raises(DatabaseError, match="frozen"), transaction.atomic():
            change()

    assert _saved() == before


# The API door: the same service, the same refusals.


def test_api_puts_and_reads_the_draft_beside_the_others(api, knee, nurse, nurse2):
    case, version, document = knee
    url = f"/api/v1/authorizations/{case.pk}/worksheet/"
    worksheet_save(case_id=case.pk, actor=nurse2, answers=[
        {"criteria_id": version.pk, "index": 0, "answer": "met", "note": "MRI."},
    ])  # fmt: skip

    put = api.as_user(nurse).put(
        url,
        {"answers": [{"criteria_id": version.pk, "index": 1, "answer": "not_met", "attachment": str(document.pk),
                      "page": 4}]},
        format="json",
    )  # fmt: skip
    got = api.as_user(nurse).get(url)

    assert put.status_code == 200 and got.json() == put.json()
    body = got.json()
    assert body["mine"]["answers"] == [{
        "criteria_id": version.pk, "index": 1, "indication": "12 weeks of therapy failed", "answer": "not_met",
        "attachment": str(document.pk), "page": 4, "note": "",
    }]  # fmt: skip
    assert [o["answers"][0]["note"] for o in body["others"]] == ["MRI."]


def test_api_refuses_a_criterion_not_in_force_and_strangers_and_saves_nothing(api, knee, nurse, provider2):
    case, version, _ = knee
    url = f"/api/v1/authorizations/{case.pk}/worksheet/"
    other = CriteriaVersionFactory()

    bad = api.as_user(nurse).put(
        url, {"answers": [{"criteria_id": other.pk, "index": 0, "answer": "not_applicable"}]}, format="json"
    )
    stranger = api.as_user(provider2).put(
        url, {"answers": [{"criteria_id": version.pk, "index": 0, "answer": "not_applicable"}]}, format="json"
    )

    assert bad.status_code == 400 and "not in force" in str(bad.json())
    assert stranger.status_code == 404
    assert not Worksheet.objects.exists()
