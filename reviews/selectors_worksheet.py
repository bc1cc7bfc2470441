"""Reads of the reviewers' worksheets: the review page's (my draft, the others' beside it),
the decision page's (frozen, pinned to the decision), and the letters' (what was unmet)."""

from dataclasses import dataclass

from django.db.models import Prefetch

from .models import Decision, Worksheet, WorksheetAnswer

Answer = WorksheetAnswer.Answer


def _with_answers(queryset):
    return queryset.select_related("reviewer").prefetch_related(
        Prefetch(
            "answers",
            queryset=WorksheetAnswer.objects.select_related(
                "criteria_version__criteria_set", "evidence_attachment"
            ).order_by("criteria_version__criteria_set__name", "criteria_version_id", "indication_index"),
        )
    )


@dataclass
class ReviewWorksheets:
    mine: Worksheet | None
    others: list[Worksheet]  # the other reviewers' drafts (a physician sees the nurse's)


def worksheets_for_review(*, case, user) -> ReviewWorksheets:
    """The open drafts on the case (two queries): the user's own and everyone else's."""
    drafts = list(_with_answers(Worksheet.objects.filter(case=case, frozen_at__isnull=True)))
    return ReviewWorksheets(
        mine=next((w for w in drafts if w.reviewer_id == user.pk), None),
        others=[w for w in drafts if w.reviewer_id != user.pk],
    )


def worksheets_for_decision(decision: Decision | None) -> list[Worksheet]:
    """The worksheets frozen with `decision`, the decider's first (two queries)."""
    if decision is None:
        return []
    sheets = list(_with_answers(Worksheet.objects.filter(decision=decision)))
    return sorted(sheets, key=lambda w: (w.reviewer_id != decision.decided_by_id, w.frozen_at, w.pk))


@dataclass
class Findings:
    unmet: list[str]  # criteria not met, in plain words
    missing: list[str]  # documentation that was not there


def decision_findings(decision: Decision) -> Findings:
    """What the decider's frozen worksheet found unmet or undocumented, for the letters. A
    decision revised after a peer-to-peer talk has no drafts of its own to freeze (the case
    was decided): the decider's latest worksheet frozen with an earlier decision stands."""
    sheet = (
        Worksheet.objects.filter(
            case_id=decision.case_id,
            reviewer_id=decision.decided_by_id,
            frozen_at__isnull=False,
            frozen_at__lte=decision.decided_at,
        )
        .order_by("-frozen_at", "-pk")
        .values("pk")[:1]
    )
    answers = (
        WorksheetAnswer.objects.filter(
            worksheet__in=sheet,
            answer__in=[Answer.NOT_MET, Answer.NOT_DOCUMENTED],
        )
        .select_related("criteria_version__criteria_set")
        .order_by("criteria_version__criteria_set__name", "indication_index")
    )
    findings = Findings(unmet=[], missing=[])
    for a in answers:
        if a.answer == Answer.NOT_MET:
            findings.unmet.append(f"{a.indication} ({a.criteria_version.criteria_set.name})")
        else:
            findings.missing.append(f"Records that show: {a.indication}")
    return findings
