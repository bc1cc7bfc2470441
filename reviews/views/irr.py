"""Inter-rater reliability pages (issue 16, item 3): the administrator's exercises (build,
report with CSV), the reviewer's blind exercise. Thin: the services and selectors decide."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from criteria.models import CriteriaVersion
from um_portal.exceptions import DomainError, NotFound
from um_portal.roles import Perm, Role, users_with_role

from ..models import IrrExercise, WorksheetAnswer
from ..selectors_irr import irr_assignments_for, irr_exercises_list, irr_report
from ..services.irr import irr_answers_submit, irr_exercise_create
from .common import require

ADMIN_ONLY = "Only UM administrators manage reliability exercises."


def _exercises_context(request, *, error="", data=None) -> dict:
    return {
        "exercises": list(irr_exercises_list()),
        "versions": list(
            CriteriaVersion.objects.select_related("criteria_set")
            .exclude(indications=[])
            .order_by("criteria_set__name", "-effective_from")
        ),
        "reviewers": list(users_with_role(Role.NURSE, Role.PHYSICIAN).order_by("username")),
        "error": error,
        "data": data or {},
    }


@login_required
@require_http_methods(["GET", "POST"])
def exercises(request):
    require(request.user, Perm.CONFIGURE, ADMIN_ONLY)
    if request.method == "GET":
        return render(request, "reviews/irr_exercises.html", _exercises_context(request))
    try:
        exercise = irr_exercise_create(
            actor=request.user,
            name=request.POST.get("name", ""),
            criteria_version_id=request.POST.get("criteria_version") or None,
            case_references=request.POST.get("cases", "").split(),
            reviewer_usernames=request.POST.getlist("reviewers"),
            threshold=request.POST.get("threshold") or None,
        )
    except DomainError as exc:
        problems = " ".join(m for ms in exc.errors.values() for m in ms)
        context = _exercises_context(request, error=f"{exc.message} {problems}", data=request.POST)
        return render(request, "reviews/irr_exercises.html", context, status=exc.status_code)
    messages.success(request, f"Exercise “{exercise.name}” created and assigned.")
    return redirect("reviews:irr_report", exercise_id=exercise.pk)


def _exercise(exercise_id) -> IrrExercise:
    exercise = IrrExercise.objects.select_related("criteria_version__criteria_set").filter(pk=exercise_id).first()
    if exercise is None:
        raise NotFound("No such exercise.")
    return exercise


@login_required
def report(request, exercise_id):
    require(request.user, Perm.CONFIGURE, ADMIN_ONLY)
    figures = irr_report(_exercise(exercise_id))
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="irr-exercise-{figures.exercise.pk}.csv"'
        writer = csv.writer(response)
        writer.writerow(["Exercise", "Criteria", "Reviewer", "Completed", "Ratings", "Percent agreement",
                         "Cohen's kappa vs reference", "Below threshold"])  # fmt: skip
        criteria = str(figures.exercise.criteria_version)
        for row in figures.reviewers:
            writer.writerow([
                figures.exercise.name, criteria, row.reviewer.username, "yes" if row.completed else "no",
                row.ratings, _fmt(row.percent), _fmt(row.kappa, 3),
                "yes" if row.below(figures.exercise.threshold) else "",
            ])  # fmt: skip
        writer.writerow([figures.exercise.name, criteria, f"between reviewers ({figures.between_method or 'n/a'})",
                         "", figures.between_raters, _fmt(figures.between_percent), _fmt(figures.between_kappa, 3),
                         ""])  # fmt: skip
        return response
    bars = [
        {"row": row, "width": max(0.0, row.kappa) * 100 if row.kappa is not None else None} for row in figures.reviewers
    ]
    return render(request, "reviews/irr_report.html", {"report": figures, "bars": bars})


def _fmt(value, places: int = 1) -> str:
    return "" if value is None else f"{value:.{places}f}"


@login_required
def my_exercises(request):
    require(request.user, Perm.QUEUE_WORK, "Reliability exercises are for reviewers.")
    return render(request, "reviews/irr_mine.html", {"assignments": list(irr_assignments_for(request.user))})


@login_required
@require_http_methods(["GET", "POST"])
def take(request, assignment_id):
    require(request.user, Perm.QUEUE_WORK, "Reliability exercises are for reviewers.")
    assignment = irr_assignments_for(request.user).filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound("No such exercise for you.")
    error = ""
    if request.method == "POST":
        answers = {}
        for name, value in request.POST.items():
            if name.startswith("irr-") and name.count("-") == 2:
                _, item_id, index = name.split("-")
                answers.setdefault(item_id, {})[index] = value
        try:
            irr_answers_submit(assignment_id=assignment.pk, actor=request.user, answers=answers)
        except DomainError as exc:
            error = exc.message + " " + " ".join(m for ms in exc.errors.values() for m in ms)
        else:
            messages.success(request, "Thank you: your answers are recorded.")
            return redirect("reviews:irr_mine")
    indications = list(enumerate(assignment.exercise.criteria_version.indications))
    return render(
        request,
        "reviews/irr_take.html",
        {
            "assignment": assignment,
            "items": list(assignment.exercise.items.all()),
            "indications": indications,
            "choices": WorksheetAnswer.Answer.choices,
            "posted": request.POST,
            "error": error,
        },
        status=400 if error else 200,
    )
