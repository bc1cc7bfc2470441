"""Inter-rater reliability exercises (issue 16, item 3; NCQA UM standards expect at least a
yearly test that reviewers apply criteria consistently). An administrator builds an
exercise from decided cases, each turned into a de-identified vignette with the decider's
frozen worksheet as the reference answer; assigned reviewers answer blind."""

from django.conf import settings
from django.db import models


class IrrExercise(models.Model):
    name = models.CharField(max_length=160)
    criteria_version = models.ForeignKey("criteria.CriteriaVersion", on_delete=models.PROTECT, related_name="+")
    # Reviewers whose kappa against the reference falls below this are listed for coaching.
    # Default 0.6: the floor of "substantial" agreement on Landis and Koch's scale (1977).
    threshold = models.DecimalField(max_digits=3, decimal_places=2, default=0.6)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class IrrItem(models.Model):
    exercise = models.ForeignKey(IrrExercise, on_delete=models.CASCADE, related_name="items")
    # Kept for the administrator's audit trail; never shown to the reviewers answering.
    source_case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=20)  # "Case A", "Case B"...
    vignette = models.TextField()  # de-identified: names, numbers and dates replaced
    # {"<indication index>": answer} from the decider's frozen worksheet.
    reference = models.JSONField(default=dict)

    class Meta:
        ordering = ["label"]
        constraints = [models.UniqueConstraint(fields=["exercise", "source_case"], name="irr_case_once_per_exercise")]

    def __str__(self) -> str:
        return f"{self.exercise}: {self.label}"


class IrrAssignment(models.Model):
    exercise = models.ForeignKey(IrrExercise, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="irr_assignments")
    completed_at = models.DateTimeField(null=True, blank=True)
    # {"<item id>": {"<indication index>": answer}}, written once, on completion.
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["exercise", "reviewer"]
        constraints = [models.UniqueConstraint(fields=["exercise", "reviewer"], name="irr_reviewer_once_per_exercise")]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.exercise}"
