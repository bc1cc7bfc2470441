"""The inter-rater reliability report (issue 16, item 3): per reviewer, agreement with the
reference answers; between the reviewers, agreement with each other (Cohen's kappa for
two, Fleiss' for more); reviewers below the exercise's threshold listed for coaching."""

from dataclasses import dataclass

from .irr_stats import cohens_kappa, fleiss_kappa, percent_agreement
from .models import IrrAssignment, IrrExercise


@dataclass
class ReviewerAgreement:
    reviewer: object
    completed: bool
    ratings: int
    percent: float | None
    kappa: float | None

    def below(self, threshold) -> bool:
        if not self.completed:
            return False
        if self.kappa is None:  # every rating in one category, so all agree
            return self.percent is not None and self.percent < 100
        return self.kappa < float(threshold)


@dataclass
class IrrReport:
    exercise: IrrExercise
    reviewers: list[ReviewerAgreement]
    between_method: str
    between_raters: int
    between_percent: float | None
    between_kappa: float | None

    @property
    def coaching(self) -> list[ReviewerAgreement]:
        return [r for r in self.reviewers if r.below(self.exercise.threshold)]


def irr_exercises_list():
    return IrrExercise.objects.select_related("criteria_version__criteria_set", "created_by").prefetch_related(
        "assignments"
    )


def irr_assignments_for(user):
    return IrrAssignment.objects.filter(reviewer=user).select_related("exercise__criteria_version__criteria_set")


def irr_report(exercise: IrrExercise) -> IrrReport:
    items = list(exercise.items.all())
    count = len(exercise.criteria_version.indications)
    keys = [(str(item.pk), str(i)) for item in items for i in range(count)]
    reference = {(str(item.pk), str(i)): item.reference.get(str(i)) for item in items for i in range(count)}
    rows, done = [], []
    for assignment in exercise.assignments.select_related("reviewer").order_by("reviewer__username"):
        if assignment.completed_at is None:
            rows.append(ReviewerAgreement(assignment.reviewer, False, 0, None, None))
            continue
        given = {(item_id, i): assignment.answers[item_id][i] for item_id, i in keys}
        pairs = [(reference[k], given[k]) for k in keys]
        rows.append(
            ReviewerAgreement(assignment.reviewer, True, len(pairs), percent_agreement(pairs), cohens_kappa(pairs))
        )
        done.append(given)
    method, percent, kappa = "", None, None
    if len(done) == 2:
        method = "Cohen's kappa"
        pairs = [(done[0][k], done[1][k]) for k in keys]
        percent, kappa = percent_agreement(pairs), cohens_kappa(pairs)
    elif len(done) > 2:
        method = "Fleiss' kappa"
        ratings = [[d[k] for d in done] for k in keys]
        agree = [len(set(r)) == 1 for r in ratings]
        percent = 100.0 * sum(agree) / len(agree) if agree else None
        kappa = fleiss_kappa(ratings)
    return IrrReport(exercise, rows, method, len(done), percent, kappa)
