"""The reviewer's worksheet on the review page: the form rows built from the criteria in
force and the reviewer's draft, and the posted fields read back as the service's answers
(the door is `reviews.views.case.worksheet_post`)."""

from ..models import WorksheetAnswer

ANSWER_CHOICES = WorksheetAnswer.Answer.choices


def worksheet_rows(criteria, draft) -> list[dict]:
    """One row per criterion of each version in force, with the draft's answer if any."""
    answers = {(a.criteria_version_id, a.indication_index): a for a in draft.answers.all()} if draft else {}
    rows = []
    for version in criteria:
        for index, text in enumerate(version.indications or []):
            answer = answers.get((version.pk, index))
            rows.append(
                {
                    "prefix": f"ws-{version.pk}-{index}",
                    "version": version,
                    "index": index,
                    "text": text,
                    "answer": answer.answer if answer else "",
                    "attachment": str(answer.evidence_attachment_id or "") if answer else "",
                    "page": answer.evidence_page if answer and answer.evidence_page else "",
                    "note": answer.evidence_note if answer else "",
                }
            )
    return rows


def rows_with_posted(rows: list[dict], post) -> list[dict]:
    """The rows as the reviewer filled them in, to show a refused form again unchanged."""
    for row in rows:
        for part in ("answer", "attachment", "page", "note"):
            row[part] = post.get(f"{row['prefix']}-{part}", "")
    return rows


def answers_from_post(post) -> list[dict]:
    """The page's fields ws-<criteria id>-<index>-<part> as the service's answers."""
    keys = sorted({name.rsplit("-", 1)[0] for name in post if name.startswith("ws-") and name.count("-") == 3})
    answers = []
    for key in keys:
        _, criteria_id, index = key.split("-")
        answers.append(
            {
                "criteria_id": criteria_id,
                "index": index,
                "answer": post.get(f"{key}-answer", ""),
                "attachment": post.get(f"{key}-attachment", ""),
                "page": post.get(f"{key}-page", ""),
                "note": post.get(f"{key}-note", ""),
            }
        )
    return answers
