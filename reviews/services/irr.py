"""Inter-rater reliability exercises (issue 16, item 3): an administrator builds one from
decided cases (de-identified, refused while any PHI remains) and assigns reviewers, who
answer the worksheet blind, once."""

from django.db import transaction
from django.utils import timezone

from cases.models import AuthorizationRequest
from criteria.models import CriteriaVersion
from reviews.models import IrrAssignment, IrrExercise, IrrItem, Worksheet, WorksheetAnswer
from um_portal.audit import access_log_record_many
from um_portal.exceptions import Conflict, NotAllowed, NotFound, ValidationFailed
from um_portal.models import AccessLog, User
from um_portal.roles import Perm, Role, user_can, user_role

from ..irr_deidentify import phi_found, vignette_for

Answer = WorksheetAnswer.Answer


def _reference(case, version) -> dict[str, str]:
    """The decider's answers on `version`, from the worksheet frozen with the current decision."""
    decision = case.decisions.filter(is_current=True).first()
    if decision is None:
        return {}
    sheet = Worksheet.objects.filter(decision=decision, reviewer_id=decision.decided_by_id).first()
    if sheet is None:
        return {}
    return {str(a.indication_index): a.answer for a in sheet.answers.filter(criteria_version=version)}


@transaction.atomic
def irr_exercise_create(
    *, actor, name: str, criteria_version_id, case_references, reviewer_usernames, threshold=None
) -> IrrExercise:
    """Every case must be decided with a reference worksheet answering every criterion of the
    version, and its vignette free of PHI; every assignee a reviewer. All or nothing."""
    if not user_can(actor, Perm.CONFIGURE):
        raise NotAllowed("Only UM administrators build reliability exercises.")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Name the exercise."]
    version = CriteriaVersion.objects.select_related("criteria_set").filter(pk=criteria_version_id).first()
    if version is None or not version.indications:
        errors["criteria_version"] = ["Choose a criteria version with a checklist."]
    references = [r.strip() for r in case_references or [] if r and r.strip()]
    if len(references) < 2:
        errors.setdefault("cases", []).append("Give at least two decided cases.")
    cases = {
        c.reference: c
        for c in AuthorizationRequest.objects.select_related(
            "member", "requesting_organization", "servicing_organization",
            "requesting_practitioner", "servicing_practitioner",
        ).prefetch_related("lines", "diagnoses").filter(reference__in=references)
    }  # fmt: skip
    items = []
    for n, reference in enumerate(references):
        case = cases.get(reference)
        if case is None:
            errors.setdefault("cases", []).append(f"{reference}: no such case.")
            continue
        if not case.is_decided:
            errors.setdefault("cases", []).append(f"{reference}: not decided yet.")
            continue
        answer_key = _reference(case, version) if version else {}
        if version and len(answer_key) != len(version.indications):
            errors.setdefault("cases", []).append(
                f"{reference}: the decider's worksheet does not answer every criterion of {version}."
            )
            continue
        vignette = vignette_for(case)
        leftover = phi_found(vignette, case)
        if leftover:
            errors.setdefault("cases", []).append(
                f"{reference}: the case still holds PHI after de-identification ({len(leftover)} item(s), "
                "e.g. a name, number or date in the clinical summary); choose another case."
            )
            continue
        items.append(IrrItem(source_case=case, label=f"Case {chr(65 + n)}", vignette=vignette, reference=answer_key))
    reviewers = list(User.objects.filter(username__in=reviewer_usernames or []))
    if not reviewers or len(reviewers) != len(set(reviewer_usernames or [])):
        errors["reviewers"] = ["Assign at least one reviewer, each by username."]
    elif any(user_role(u) not in (Role.NURSE, Role.PHYSICIAN) for u in reviewers):
        errors["reviewers"] = ["Only nurses and physicians take reliability exercises."]
    if errors:
        raise ValidationFailed("The exercise was not created.", errors=errors)
    exercise = IrrExercise.objects.create(
        name=name, criteria_version=version, created_by=actor, created_at=timezone.now(),
        **({"threshold": threshold} if threshold is not None else {}),
    )  # fmt: skip
    for item in items:
        item.exercise = exercise
    IrrItem.objects.bulk_create(items)
    IrrAssignment.objects.bulk_create(IrrAssignment(exercise=exercise, reviewer=u) for u in reviewers)
    # The administrator's build read each case's PHI to de-identify it: logged as an export.
    access_log_record_many(user=actor, objs=[item.source_case for item in items], how=AccessLog.How.EXPORT)
    return exercise


@transaction.atomic
def irr_answers_submit(*, assignment_id, actor, answers: dict) -> IrrAssignment:
    """The reviewer's blind answers, every criterion of every case, once."""
    assignment = (
        IrrAssignment.objects.select_for_update().select_related("exercise__criteria_version").filter(
            pk=assignment_id, reviewer=actor
        ).first()
    )  # fmt: skip
    if assignment is None:
        raise NotFound("No such exercise for you.")
    if assignment.completed_at is not None:
        raise Conflict("You have already completed this exercise.", code="irr_completed")
    indications = assignment.exercise.criteria_version.indications
    clean, problems = {}, []
    for item in assignment.exercise.items.all():
        given = (answers or {}).get(str(item.pk)) or {}
        row = {}
        for index, text in enumerate(indications):
            value = given.get(str(index), "")
            if value not in Answer.values:
                problems.append(f"{item.label}, {text}: choose an answer.")
            row[str(index)] = value
        clean[str(item.pk)] = row
    if problems:
        raise ValidationFailed("Answer every criterion of every case.", errors={"answers": problems})
    assignment.answers, assignment.completed_at = clean, timezone.now()
    assignment.save(update_fields=["answers", "completed_at"])
    return assignment
