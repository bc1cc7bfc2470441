"""The reviewer's worksheet (issue 16, item 1): drafts per reviewer, frozen with the decision.

A reviewer who may work the case (the same guard as every reviewer action: a nurse until it
is routed, then the physician) saves their own draft: one answer per criterion of the
criteria versions in force on the date of service, with the evidence. A draft is only ever
its reviewer's; the decision freezes every draft on the case and pins it to the decision."""

from django.db import transaction
from django.utils import timezone

from criteria.selectors import criteria_for_case
from reviews.models import Worksheet, WorksheetAnswer
from um_portal.exceptions import NotAllowed, ValidationFailed
from um_portal.roles import Perm, Role, user_role

from .common import case_for_action, require_open

Answer = WorksheetAnswer.Answer
# A finding either way rests on something: a document and page, or a note.
NEEDS_EVIDENCE = frozenset({Answer.MET, Answer.NOT_MET})


def _number(value, *, minimum: int) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or int(text) < minimum:
        raise ValueError(text)
    return int(text)


def _answers_resolve(*, case, answers) -> list[WorksheetAnswer]:
    """Unsaved answer rows, or ValidationFailed listing every problem (nothing is saved)."""
    versions = {v.pk: v for v in criteria_for_case(case)}
    attachments = {str(a.pk): a for a in case.attachments.all()}
    rows, problems, seen = [], [], set()
    for n, item in enumerate(answers or [], start=1):
        where = f"Answer {n}"
        if not isinstance(item, dict):
            problems.append(f"{where}: not an answer.")
            continue
        answer = item.get("answer") or ""
        note = str(item.get("note") or "").strip()
        try:
            version_id = _number(item.get("criteria_id"), minimum=1)
            index = _number(item.get("index"), minimum=0)
            page = _number(item.get("page"), minimum=1)
        except ValueError as bad:
            problems.append(f"{where}: {bad} is not a number we can use (criteria, criterion or page).")
            continue
        version = versions.get(version_id)
        if version is None or index is None:
            problems.append(
                f"{where}: criteria {version_id} is not in force on this case's date of service; "
                "answer the criteria shown on the case."
            )
            continue
        if index >= len(version.indications):
            problems.append(f"{where}: {version} has no criterion {index + 1}.")
            continue
        indication = str(version.indications[index])
        if not answer and not note and not item.get("attachment"):
            continue  # left blank on the page: not answered yet
        if answer not in Answer.values:
            problems.append(f"{where} ({indication}): choose {', '.join(Answer.labels).lower()}.")
            continue
        if (version.pk, index) in seen:
            problems.append(f"{where} ({indication}): answered twice.")
            continue
        seen.add((version.pk, index))
        attachment = None
        if item.get("attachment"):
            attachment = attachments.get(str(item["attachment"]))
            if attachment is None:
                problems.append(f"{where} ({indication}): the evidence must be a document of this case.")
                continue
        if page is not None and attachment is None:
            problems.append(f"{where} ({indication}): a page needs the document it is in.")
            continue
        if answer in NEEDS_EVIDENCE and attachment is None and not note:
            problems.append(f"{where} ({indication}): give the evidence: a document and page, or a note.")
            continue
        rows.append(
            WorksheetAnswer(
                criteria_version=version, indication_index=index, indication=indication, answer=answer,
                evidence_attachment=attachment, evidence_page=page, evidence_note=note,
            )
        )  # fmt: skip
    if problems:
        raise ValidationFailed("The worksheet was not saved: " + " ".join(problems), errors={"answers": problems})
    return rows


@transaction.atomic
def worksheet_save(*, case_id, actor, answers) -> Worksheet:
    """Replace the actor's draft answers on the case (creating the draft on first save)."""
    case = case_for_action(actor=actor, case_id=case_id, need=Perm.QUEUE_WORK)
    role = user_role(actor)
    if role not in (Role.NURSE, Role.PHYSICIAN):
        raise NotAllowed("Only reviewers keep a worksheet.", code="reviewers_only")
    require_open(case, actor=actor)
    rows = _answers_resolve(case=case, answers=answers)
    now = timezone.now()
    worksheet = Worksheet.objects.select_for_update().filter(case=case, reviewer=actor, frozen_at__isnull=True).first()
    if worksheet is None:
        worksheet = Worksheet.objects.create(case=case, reviewer=actor, reviewer_role=role, updated_at=now)
    else:
        worksheet.reviewer_role, worksheet.updated_at = role, now
        worksheet.save(update_fields=["reviewer_role", "updated_at"])
        worksheet.answers.all().delete()
    for row in rows:
        row.worksheet = worksheet
    WorksheetAnswer.objects.bulk_create(rows)
    return worksheet


def worksheets_freeze(*, case, decision, at) -> int:
    """Freeze every draft on the case and pin it to `decision` (inside the decision's
    transaction, the case row locked). Returns how many were frozen."""
    return Worksheet.objects.filter(case=case, frozen_at__isnull=True).update(frozen_at=at, decision=decision)
