"""Issue 19, item 1: an approval yields an authorization; units used from claims lines."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reviews.models import Authorization, AuthorizationLine, AuthorizationUse, PeerToPeerAttempt, PeerToPeerRequest
from reviews.services.authorizations import authorization_units_import
from reviews.services.decisions import case_approve, case_decision_revise, case_deny, case_partially_approve
from reviews.services.peer_to_peer import peer_to_peer_complete
from reviews.services.pends import case_route_to_physician
from tests.factories import CriteriaVersionFactory
from um_portal.exceptions import ValidationFailed

from .helpers import PASSWORD, knee_criteria

pytestmark = pytest.mark.django_db


@pytest.fixture
def home_health(make_case, nurse):
    start = timezone.localdate() + timedelta(days=3)
    case = make_case(
        service_category="home_health",
        lines=[
            {
                "code_system": "HCPCS",
                "code": "G0151",
                "units": 6,
                "start_date": start,
                "end_date": start + timedelta(days=30),
            },
            {
                "code_system": "HCPCS",
                "code": "G0152",
                "units": 4,
                "start_date": start,
                "end_date": start + timedelta(days=20),
            },
        ],
    )
    case_route_to_physician(case_id=case.pk, actor=nurse, note="Criteria not clearly met.")
    return case


def _approved(make_case, nurse, **kwargs):
    case = make_case(**kwargs)
    case_approve(case_id=case.pk, actor=nurse)
    return Authorization.objects.get(case=case)


def test_approval_yields_an_authorization_with_lines_span_and_no_units_used(make_case, nurse):
    start = timezone.localdate() + timedelta(days=10)
    case = make_case(
        lines=[
            {
                "code_system": "CPT",
                "code": "97110",
                "units": 12,
                "start_date": start,
                "end_date": start + timedelta(days=60),
            },
            {
                "code_system": "CPT",
                "code": "97140",
                "units": 8,
                "start_date": start + timedelta(days=5),
                "end_date": start + timedelta(days=90),
            },
        ]
    )

    case_approve(case_id=case.pk, actor=nurse)

    authorization = Authorization.objects.get(case=case)
    assert authorization.number == f"A-{case.reference}"
    assert (authorization.valid_from, authorization.valid_to) == (start, start + timedelta(days=90))
    assert list(authorization.lines.values_list("line_number", "code", "approved_units", "units_used")) == [
        (1, "97110", 12, 0),
        (2, "97140", 8, 0),
    ]


def test_partial_approval_lists_only_the_lines_with_units_approved(home_health, physician):
    version = CriteriaVersionFactory(effective_from=timezone.localdate() - timedelta(days=30))
    first, second = home_health.lines.order_by("line_number")

    case_partially_approve(
        reason_code="MN03",
        case_id=home_health.pk,
        actor=physician,
        reason="Three visits are supported by the functional assessment.",
        criteria_ids=[version.pk],
        lines=[{"id": str(first.pk), "approved_units": 3}, {"id": str(second.pk), "approved_units": 0}],
        password=PASSWORD,
    )

    authorization = Authorization.objects.get(case=home_health)
    assert list(authorization.lines.values_list("line_number", "approved_units")) == [(1, 3)]
    assert (authorization.valid_from, authorization.valid_to) == (first.start_date, first.end_date)


def test_denial_never_yields_an_authorization(make_case, nurse):
    case = make_case()

    case_deny(reason_code="BN01", case_id=case.pk, actor=nurse, basis="benefit", reason="Cosmetic surgery is excluded.")

    assert not Authorization.objects.filter(case=case).exists()
    assert not AuthorizationLine.objects.exists()


def test_numbers_are_unique(make_case, nurse):
    first = _approved(make_case, nurse)
    second = _approved(make_case, nurse)

    assert first.number != second.number
    with pytest.raises(IntegrityError), transaction.atomic():
        Authorization.objects.filter(pk=second.pk).update(number=first.number)


@pytest.fixture
def therapy(make_case, nurse):
    start = timezone.localdate() + timedelta(days=2)
    return _approved(
        make_case,
        nurse,
        lines=[
            {
                "code_system": "CPT",
                "code": "97110",
                "units": 10,
                "start_date": start,
                "end_date": start + timedelta(days=30),
            },
            {
                "code_system": "CPT",
                "code": "97140",
                "units": 4,
                "start_date": start,
                "end_date": start + timedelta(days=30),
            },
        ],
    )


def _csv(*rows) -> str:
    return "authorization_number,line,units,date\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)


def _used(authorization) -> list[int]:
    return list(authorization.lines.order_by("line_number").values_list("units_used", flat=True))


def test_claims_lines_add_units_used_up_to_the_approved_units(therapy, admin_user):
    day = therapy.valid_from.isoformat()

    assert (
        authorization_units_import(
            text=_csv((therapy.number, 1, 6, day), (therapy.number, 2, 1, day)), actor=admin_user
        )
        == 2
    )
    assert authorization_units_import(text=_csv((therapy.number, 1, 4, day)), actor=admin_user) == 1

    assert _used(therapy) == [10, 1]
    assert AuthorizationUse.objects.filter(line__authorization=therapy).count() == 3


def test_use_beyond_the_approved_units_is_refused_clearly_and_nothing_is_written(therapy, admin_user):
    day = therapy.valid_from.isoformat()
    authorization_units_import(text=_csv((therapy.number, 1, 7, day)), actor=admin_user)

    # Within one file too: 3 + 1 on line 1 goes past 10; the good line-2 row is not kept either.
    with pytest.raises(
        ValidationFailed, match=r"line 1: 11 units would be used, only 10 are approved \(7 used already\)"
    ):
        authorization_units_import(
            text=_csv((therapy.number, 2, 2, day), (therapy.number, 1, 3, day), (therapy.number, 1, 1, day)),
            actor=admin_user,
        )

    assert _used(therapy) == [7, 0]
    assert AuthorizationUse.objects.count() == 1


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("A-NOPE", 1, 1, None), "authorization A-NOPE has no approved line 1"),
        ((None, 3, 1, None), "has no approved line 3"),
        ((None, 1, 1, "1999-01-01"), "outside line 1's approved dates"),
        ((None, 1, 0, None), "units must be at least 1"),
        ((None, 1, "two", None), "whole numbers"),
    ],
)
def test_bad_claims_lines_are_refused_and_nothing_is_written(therapy, admin_user, row, message):
    number, line, units, day = row
    text = _csv((number or therapy.number, line, units, day or therapy.valid_from.isoformat()))

    with pytest.raises(ValidationFailed, match=message):
        authorization_units_import(text=text, actor=admin_user)

    assert _used(therapy) == [0, 0] and not AuthorizationUse.objects.exists()


def test_file_without_the_columns_is_refused(admin_user):
    with pytest.raises(ValidationFailed, match="needs the columns"):
        authorization_units_import(text="auth,units\nA-1,2\n", actor=admin_user)


def test_database_refuses_units_used_beyond_approved(therapy):
    line = therapy.lines.get(line_number=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorizationLine.objects.filter(pk=line.pk).update(units_used=5)


def test_a_denial_revised_to_an_approval_yields_the_authorization_then(make_case, nurse, physician, provider):
    version = knee_criteria()
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
    case_deny(
        case_id=case.pk,
        actor=physician,
        basis="medical_necessity",
        reason="Only 4 weeks of PT.",
        reason_code="MN01",
        criteria_ids=[version.pk],
        password=PASSWORD,
    )
    assert not Authorization.objects.filter(case=case).exists()
    talk = PeerToPeerRequest.objects.create(case=case, requested_by=provider, requested_at=timezone.now(), phone="1")
    PeerToPeerAttempt.objects.create(peer_to_peer=talk, at=timezone.now(), by=physician, result="reached")
    peer_to_peer_complete(peer_to_peer_id=talk.pk, actor=physician, outcome="changed")

    case_decision_revise(
        case_id=case.pk, actor=physician, outcome="approved", reason="14 weeks of PT.", password=PASSWORD
    )

    authorization = Authorization.objects.get(case=case)
    assert list(authorization.lines.values_list("approved_units", "units_used")) == [(1, 0)]
