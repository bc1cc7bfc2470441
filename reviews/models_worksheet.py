"""The reviewer's worksheet (issue 16, item 1): per criterion of the criteria versions in
force on the date of service, met / not met / not applicable / not documented, with the
evidence. Each reviewer keeps one draft per case (two reviewers' drafts never mix); when the
case is decided every draft on it is frozen and pinned to the decision, read-only from then."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Worksheet(models.Model):
    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="worksheets")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="worksheets")
    # The reviewer's role when they saved it (nurse or physician), for "beside their own".
    reviewer_role = models.CharField(max_length=20)
    updated_at = models.DateTimeField()
    # Frozen with the decision: never edited again.
    decision = models.ForeignKey(
        "reviews.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="worksheets"
    )
    frozen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["updated_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reviewer"],
                condition=Q(frozen_at__isnull=True),
                name="one_draft_worksheet_per_reviewer",
            ),
            models.CheckConstraint(
                condition=Q(frozen_at__isnull=True, decision__isnull=True)
                | Q(frozen_at__isnull=False, decision__isnull=False),
                name="worksheet_frozen_with_its_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"Worksheet of {self.reviewer} on {self.case}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class WorksheetAnswer(models.Model):
    class Answer(models.TextChoices):
        MET = "met", "Met"
        NOT_MET = "not_met", "Not met"
        NOT_APPLICABLE = "not_applicable", "Not applicable"
        NOT_DOCUMENTED = "not_documented", "Not documented"

    worksheet = models.ForeignKey(Worksheet, on_delete=models.CASCADE, related_name="answers")
    criteria_version = models.ForeignKey("criteria.CriteriaVersion", on_delete=models.PROTECT, related_name="+")
    # Position in the version's checklist (`indications`), and its text as it read then.
    indication_index = models.PositiveSmallIntegerField()
    indication = models.TextField()
    answer = models.CharField(max_length=20, choices=Answer.choices)
    # Evidence: a document of the case and its page, or a note (or both).
    evidence_attachment = models.ForeignKey(
        "cases.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_page = models.PositiveIntegerField(null=True, blank=True)
    evidence_note = models.TextField(blank=True)

    class Meta:
        ordering = ["criteria_version_id", "indication_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["worksheet", "criteria_version", "indication_index"], name="one_answer_per_criterion"
            ),
            models.CheckConstraint(
                condition=Q(evidence_page__isnull=True) | Q(evidence_attachment__isnull=False),
                name="worksheet_page_needs_a_document",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indication}: {self.get_answer_display()}"
