"""Clinical criteria: sets, versions in force by date, and the codes they apply to."""

from django.db import models
from django.db.models import Q

from um_portal.exceptions import Conflict

LOCKED_MESSAGE = (
    "Criteria version {version} was used in a decision on {day:%Y-%m-%d} and cannot be changed "
    "or deleted. Make a new version instead."
)


class CriteriaSet(models.Model):
    name = models.CharField(max_length=160, unique=True)
    source = models.CharField(max_length=80, help_text='"internal" or the licensed vendor.')
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CriteriaVersion(models.Model):
    """One version of a criteria set. Once used in a decision it is frozen (`locked_at`):
    changes are made as a new version."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(max_length=30)
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    text = models.TextField()
    # The checklist of indications, in order: ["BMI under 40", ...].
    indications = models.JSONField(default=list, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["criteria_set__name", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "version"], name="criteria_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="criteria_version_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criteria_set.name} v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def refuse_if_locked(self) -> None:
        """Raise Conflict (409) if the stored row is locked. Reads the database, so a stale
        instance cannot slip a change past a lock taken meanwhile."""
        if self.pk is None:
            return
        locked_at = type(self).objects.filter(pk=self.pk).values_list("locked_at", flat=True).first()
        if locked_at is not None:
            raise Conflict(LOCKED_MESSAGE.format(version=self.version, day=locked_at), code="criteria_locked")

    # The invariant "a version used in a decision never changes" holds for every door
    # (service, admin, shell): locking itself goes through a queryset update.
    def save(self, *args, **kwargs):
        self.refuse_if_locked()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.refuse_if_locked()
        return super().delete(*args, **kwargs)


class CriteriaCode(models.Model):
    """A code (or a whole service category) the criteria set applies to."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="codes")
    code_system = models.CharField(max_length=5, blank=True)
    code = models.CharField(max_length=5, blank=True)
    service_category = models.CharField(max_length=30, blank=True)

    class Meta:
        indexes = [models.Index(fields=["code"]), models.Index(fields=["service_category"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(code="") | ~Q(service_category=""), name="criteria_code_targets_something"
            )
        ]

    def __str__(self) -> str:
        return self.code or self.service_category


# Published prior-authorization requirements (CMS-0057-F) live in their own module.
from .models_requirements import CoverageRequirement  # noqa: E402,F401
