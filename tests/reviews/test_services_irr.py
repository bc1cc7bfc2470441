"""Inter-rater reliability (issue 16, item 3): kappa from statsmodels against hand-computed
values (degenerate cases included), exercises built only from de-identified decided cases
with a reference worksheet, blind answers once, the report and who needs coaching."""

import pytest

from reviews.irr_deidentify import phi_found, vignette_for
from reviews.irr_stats import cohens_kappa, fleiss_kappa, percent_agreement
from reviews.models import IrrAssignment, IrrExercise, IrrItem
from reviews.selectors_irr import irr_report
from reviews.services.decisions import case_deny
from reviews.services.irr import irr_answers_submit, irr_exercise_create
from reviews.services.pends import case_route_to_physician
from reviews.services.worksheets import worksheet_save
from um_portal.exceptions import Conflict, NotAllowed, NotFound, ValidationFailed
from um_portal.models import AccessLog

from .helpers import PASSWORD, knee_criteria

pytestmark = pytest.mark.django_db

A = ["met", "not_met", "met", "met"]
B = ["met", "not_met", "not_met", "met"]


def test_cohens_kappa_matches_the_hand_computed_value():
    # po = 3/4; pe = (3/4)(2/4) + (1/4)(2/4) = 1/2; kappa = (3/4 - 1/2) / (1 - 1/2) = 0.5
    assert cohens_kappa(list(zip(A, B, strict=True))) == pytest.approx(0.5)
    assert percent_agreement(list(zip(A, B, strict=True))) == 75.0


def test_fleiss_kappa_matches_the_hand_computed_value():
    # Items (A, B, A): P = (1 + 1 + 1/3 + 1) / 4 = 5/6; p(met) = 8/12, p(not met) = 4/12;
    # Pe = 4/9 + 1/9 = 5/9; kappa = (5/6 - 5/9) / (1 - 5/9) = 0.625
    assert fleiss_kappa([list(r) for r in zip(A, B, A, strict=True)]) == pytest.approx(0.625)


def test_degenerate_cases_all_agree_and_one_category():
    assert cohens_kappa(list(zip(A, A, strict=True))) == pytest.approx(1.0)
    # One category only: chance agreement is total, kappa is undefined (not NaN), 100 % agree.
    assert cohens_kappa([("met", "met")] * 4) is None and percent_agreement([("met", "met")] * 4) == 100.0
    assert fleiss_kappa([["met"] * 3] * 4) is None
    # Complete disagreement across two categories: kappa -1.
    assert cohens_kappa([("met", "not_met"), ("not_met", "met")]) == pytest.approx(-1.0)
    assert cohens_kappa([]) is None and fleiss_kappa([]) is None


@pytest.fixture
def decided_cases(make_case, nurse, physician):
    """Three cases denied by the physician with a full worksheet (answers per case)."""
    version = knee_criteria()  # two criteria
    keys = [("not_met", "not_met"), ("met", "not_met"), ("not_met", "met")]
    cases = []
    for first, second in keys:
        case = make_case(clinical_summary="Right knee pain for two years; therapy did not help.")
        case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
        worksheet_save(case_id=case.pk, actor=physician, answers=[
            {"criteria_id": version.pk, "index": 0, "answer": first, "note": "Chart."},
            {"criteria_id": version.pk, "index": 1, "answer": second, "note": "Chart."},
        ])  # fmt: skip
        case_deny(
            case_id=case.pk, actor=physician, basis="medical_necessity", reason="Criteria not met.",
            reason_code="MN01", criteria_ids=[version.pk], password=PASSWORD,
        )  # fmt: skip
        cases.append(case)
    return version, cases, keys


def test_vignette_replaces_names_numbers_and_dates(make_case, member):
    case = make_case(
        member=member,
        clinical_summary=(
            f"{member.first_name} {member.last_name} ({member.member_number}) seen 2026-03-04 and on 03/18/2026; "
            "call 410-555-0188. Pain since March 2, 2024."
        ),
    )

    text = vignette_for(case)

    assert member.last_name not in text and member.member_number not in text and case.reference not in text
    assert "2026" not in text and "410-555" not in text and "[date]" in text and "the member" in text
    assert phi_found(text, case) == []


def test_phi_check_finds_what_scrubbing_cannot(make_case, member):
    case = make_case(member=member, clinical_summary="Born in the spring of 1961; SSN 123456789 on file.")

    assert set(phi_found(vignette_for(case), case)) >= {"1961", "123456789"}


def test_admin_builds_an_exercise_from_deidentified_decided_cases(decided_cases, admin_user, nurse, physician2):
    version, cases, keys = decided_cases

    exercise = irr_exercise_create(
        actor=admin_user, name="Knee 2026", criteria_version_id=version.pk,
        case_references=[c.reference for c in cases], reviewer_usernames=["nurse", "physician2"],
    )  # fmt: skip

    items = list(exercise.items.order_by("label"))
    assert [i.reference for i in items] == [{"0": a, "1": b} for a, b in keys]
    assert all(
        c.member.last_name not in i.vignette and c.reference not in i.vignette
        for i, c in zip(items, cases, strict=True)
    )
    assert exercise.assignments.count() == 2
    # Reading the cases to de-identify them is a PHI read by the administrator.
    logged = AccessLog.objects.filter(user=admin_user, how="export", object_kind="case")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(str(c.pk) for c in cases)


def test_exercise_with_a_case_that_still_holds_phi_is_refused_and_nothing_is_saved(decided_cases, admin_user):
    version, cases, _ = decided_cases
    type(cases[1]).objects.filter(pk=cases[1].pk).update(clinical_summary="DOB 1961, MRN 8812345.")

    with pytest.raises(ValidationFailed, match="not created") as err:
        irr_exercise_create(
            actor=admin_user, name="Knee", criteria_version_id=version.pk,
            case_references=[c.reference for c in cases], reviewer_usernames=["nurse"],
        )  # fmt: skip

    assert "still holds PHI" in " ".join(err.value.errors["cases"]) and cases[1].reference in str(err.value.errors)
    assert not IrrExercise.objects.exists() and not IrrItem.objects.exists() and not IrrAssignment.objects.exists()


def test_only_decided_cases_with_a_reference_and_only_reviewers(decided_cases, admin_user, make_case, provider):
    version, cases, _ = decided_cases
    open_case = make_case()

    with pytest.raises(ValidationFailed) as err:
        irr_exercise_create(
            actor=admin_user, name="Knee", criteria_version_id=version.pk,
            case_references=[cases[0].reference, open_case.reference], reviewer_usernames=[provider.username],
        )  # fmt: skip
    with pytest.raises(NotAllowed):
        irr_exercise_create(
            actor=provider, name="Knee", criteria_version_id=version.pk,
            case_references=[c.reference for c in cases], reviewer_usernames=["nurse"],
        )  # fmt: skip

    assert "not decided yet" in str(err.value.errors["cases"]) and "reviewers" in err.value.errors
    assert not IrrExercise.objects.exists()


def _answers(exercise, rows):
    return {str(i.pk): {"0": a, "1": b} for i, (a, b) in zip(exercise.items.order_by("label"), rows, strict=True)}


def test_blind_answers_once_and_the_report(decided_cases, admin_user, nurse, nurse2, physician2):
    version, cases, keys = decided_cases
    exercise = irr_exercise_create(
        actor=admin_user, name="Knee", criteria_version_id=version.pk, threshold="0.60",
        case_references=[c.reference for c in cases], reviewer_usernames=["nurse", "nurse2", "physician2"],
    )  # fmt: skip
    mine = exercise.assignments.get(reviewer=nurse)
    theirs = exercise.assignments.get(reviewer=nurse2)

    with pytest.raises(ValidationFailed, match="Answer every criterion"):
        irr_answers_submit(assignment_id=mine.pk, actor=nurse, answers={})
    with pytest.raises(NotFound):
        irr_answers_submit(assignment_id=mine.pk, actor=nurse2, answers=_answers(exercise, keys))
    irr_answers_submit(assignment_id=mine.pk, actor=nurse, answers=_answers(exercise, keys))  # agrees fully
    with pytest.raises(Conflict):
        irr_answers_submit(assignment_id=mine.pk, actor=nurse, answers=_answers(exercise, keys))
    # nurse2 swaps every answer: complete disagreement with the reference.
    flip = {"met": "not_met", "not_met": "met"}
    irr_answers_submit(
        assignment_id=theirs.pk, actor=nurse2, answers=_answers(exercise, [(flip[a], flip[b]) for a, b in keys])
    )

    report = irr_report(exercise)

    by_name = {r.reviewer.username: r for r in report.reviewers}
    assert by_name["nurse"].percent == 100.0 and by_name["nurse"].kappa == pytest.approx(1.0)
    assert by_name["nurse2"].percent == 0.0 and by_name["nurse2"].kappa == pytest.approx(-0.8)
    assert not by_name["physician2"].completed
    assert [r.reviewer.username for r in report.coaching] == ["nurse2"]
    assert report.between_method == "Cohen's kappa" and report.between_percent == 0.0


def test_pages_admin_builds_reviewer_answers_blind_admin_reads_report_and_csv(client, decided_cases, admin_user, nurse):
    version, cases, keys = decided_cases
    client.force_login(admin_user)

    created = client.post(
        "/reviews/reliability/",
        {"name": "Knee 2026", "criteria_version": version.pk, "cases": "\n".join(c.reference for c in cases),
         "reviewers": ["nurse"], "threshold": "0.60"},
    )  # fmt: skip
    exercise = IrrExercise.objects.get()
    assert created.status_code == 302

    client.force_login(nurse)
    page = client.get(f"/reviews/reliability/mine/{exercise.assignments.get().pk}/").content.decode()
    assert cases[0].reference not in page and cases[0].member.last_name not in page and "Case A" in page
    answers = {
        f"irr-{item.pk}-{i}": value
        for item, row in zip(exercise.items.order_by("label"), keys, strict=True)
        for i, value in enumerate(row)
    }
    assert client.post(f"/reviews/reliability/mine/{exercise.assignments.get().pk}/", answers).status_code == 302

    client.force_login(admin_user)
    report = client.get(f"/reviews/reliability/{exercise.pk}/report/").content.decode()
    csv_text = client.get(f"/reviews/reliability/{exercise.pk}/report/?format=csv").content.decode()
    assert "100.0 %" in report and "1.000" in report and "Nobody below the threshold" in report
    assert "nurse,yes,6,100.0,1.000," in csv_text


def test_a_bad_exercise_on_the_page_says_why_and_saves_nothing(client, decided_cases, admin_user):
    version, cases, _ = decided_cases
    client.force_login(admin_user)

    page = client.post(
        "/reviews/reliability/", {"name": "", "criteria_version": version.pk, "cases": cases[0].reference}
    )

    assert page.status_code == 400 and "Name the exercise." in page.content.decode()
    assert not IrrExercise.objects.exists()
