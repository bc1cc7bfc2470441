"""Bulk reassignment by a UM supervisor (issue 22, item 5): the permission, every case or
none, one event per case, 409 when a case changed meanwhile; and the open-load selector."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from cases.models import AuthorizationRequest, CaseEvent, CaseStatus
from reviews.selectors import reviewer_loads
from reviews.services.assignment import case_assign, cases_reassign_bulk
from reviews.services.pends import case_route_to_physician
from um_portal.exceptions import Conflict, DomainError, NotAllowed, ValidationFailed
from um_portal.roles import SUPERVISOR_GROUP, Perm, user_can, user_set_supervisor

from .helpers import written

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(nurse):
    user_set_supervisor(user=nurse)
    return nurse


def _seen(*cases):
    return {str(c.pk): AuthorizationRequest.objects.get(pk=c.pk).version for c in cases}


def test_the_migration_gives_the_supervisor_group_the_permission():
    group = Group.objects.get(name=SUPERVISOR_GROUP)
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [("cases", "reassign_cases")]


def test_only_reviewers_in_the_supervisor_group_hold_the_capability(nurse, nurse2, physician, admin_user, provider):
    user_set_supervisor(user=nurse)
    user_set_supervisor(user=provider)  # a provider in the group by mistake gains nothing

    assert user_can(nurse, Perm.CASE_REASSIGN_BULK)
    assert not user_can(nurse2, Perm.CASE_REASSIGN_BULK)
    assert not user_can(physician, Perm.CASE_REASSIGN_BULK)
    assert not user_can(admin_user, Perm.CASE_REASSIGN_BULK)  # administrators do not work queues
    assert not user_can(provider, Perm.CASE_REASSIGN_BULK)


def test_the_permission_given_to_the_user_alone_or_to_another_group_of_theirs_counts(nurse, nurse2, physician):
    # Granted in the admin to the user, or to any group of theirs: not only the supervisor
    # group (um_portal.roles.user_has_permission probes both, by the user's group ids).
    from django.contrib.auth.models import Permission

    reassign = Permission.objects.get(content_type__app_label="cases", codename="reassign_cases")
    nurse.user_permissions.add(reassign)
    leads = Group.objects.create(name="Night shift leads")
    leads.permissions.add(reassign)
    physician.groups.add(leads)
    # As a new request reads them: the user, then its groups and grants.
    nurse, nurse2, physician = (type(u).objects.get(pk=u.pk) for u in (nurse, nurse2, physician))

    assert user_can(nurse, Perm.CASE_REASSIGN_BULK)
    assert user_can(physician, Perm.CASE_REASSIGN_BULK)
    assert not user_can(nurse2, Perm.CASE_REASSIGN_BULK)


def test_supervisor_reassigns_several_cases_with_one_event_each(make_case, supervisor, nurse2, physician):
    fresh, held, already = make_case(), make_case(), make_case()
    case_assign(case_id=held.pk, actor=physician)
    case_assign(case_id=already.pk, actor=nurse2)

    cases_reassign_bulk(actor=supervisor, seen=_seen(fresh, held, already), assignee=nurse2)

    rows = {c.pk: c for c in AuthorizationRequest.objects.filter(pk__in=[fresh.pk, held.pk, already.pk])}
    assert {c.assigned_to_id for c in rows.values()} == {nurse2.pk}
    assert rows[fresh.pk].status == CaseStatus.IN_REVIEW  # a received case starts its review
    by_supervisor = CaseEvent.objects.filter(kind=CaseEvent.Kind.ASSIGNED, actor=supervisor)
    # `already` was nurse2's: it does not change hands, so no event.
    assert sorted(by_supervisor.values_list("case_id", "old_value", "new_value")) == sorted(
        [(fresh.pk, "", "nurse2"), (held.pk, "physician", "nurse2")]
    )


def test_a_case_changed_meanwhile_answers_409_and_nothing_is_written(make_case, supervisor, nurse2, physician):
    first, second = make_case(), make_case()
    seen = _seen(first, second)
    case_assign(case_id=second.pk, actor=physician)  # someone claims it after the page loaded
    before = [written(first), written(second)]

    with pytest.raises(Conflict) as refused:
        cases_reassign_bulk(actor=supervisor, seen=seen, assignee=nurse2)

    assert second.reference in refused.value.message and first.reference not in refused.value.message
    assert [written(first), written(second)] == before


def test_a_nurse_who_is_not_a_supervisor_is_refused_and_nothing_is_written(make_case, nurse2, nurse):
    case = make_case()
    before = written(case)

    with pytest.raises(NotAllowed):
        cases_reassign_bulk(actor=nurse2, seen=_seen(case), assignee=nurse)

    assert written(case) == before


def test_a_case_with_physicians_goes_to_a_physician_only(make_case, supervisor, nurse2, physician, physician2):
    routed, other = make_case(), make_case()
    case_route_to_physician(case_id=routed.pk, actor=supervisor, note="Medical necessity in question.")
    before = [written(routed), written(other)]

    with pytest.raises(ValidationFailed) as refused:
        cases_reassign_bulk(actor=supervisor, seen=_seen(routed, other), assignee=nurse2)
    assert routed.reference in refused.value.message and [written(routed), written(other)] == before

    cases_reassign_bulk(actor=supervisor, seen=_seen(routed), assignee=physician2)
    routed.refresh_from_db()
    assert routed.assigned_to == physician2 and routed.status == CaseStatus.PHYSICIAN_REVIEW


@pytest.mark.parametrize(
    "seen",
    [{}, {"not-a-uuid": 1}, {"00000000-0000-0000-0000-000000000000": 1}],
    ids=["nothing ticked", "not a case id", "no such case"],
)
def test_bad_input_is_refused_plainly(supervisor, nurse2, seen):
    with pytest.raises(DomainError) as refused:
        cases_reassign_bulk(actor=supervisor, seen=seen, assignee=nurse2)
    assert refused.value.status_code in (400, 404)


def test_cases_go_to_reviewers_only(make_case, supervisor, provider, admin_user):
    case = make_case()
    before = written(case)
    for assignee in (provider, admin_user):
        with pytest.raises(ValidationFailed):
            cases_reassign_bulk(actor=supervisor, seen=_seen(case), assignee=assignee)
    assert written(case) == before


def test_open_load_counts_open_cases_due_today_and_overdue(time_machine, make_case, nurse, nurse2, physician):
    # 10:00 ET on a Wednesday: "today" is the plan's calendar day.
    time_machine.move_to(datetime(2026, 6, 10, 14, 0, tzinfo=UTC), tick=False)
    now = timezone.now()
    cases = [make_case() for _ in range(4)]
    dues = [now - timedelta(hours=1), now + timedelta(hours=5), now + timedelta(days=3), now + timedelta(days=3)]
    for case, due in zip(cases, dues, strict=True):
        case_assign(case_id=case.pk, actor=nurse2)
        AuthorizationRequest.objects.filter(pk=case.pk).update(decision_due_at=due)
    AuthorizationRequest.objects.filter(pk=cases[3].pk).update(status=CaseStatus.APPROVED)  # no longer open

    loads = {u.username: u for u in reviewer_loads()}

    assert (loads["nurse2"].open_load, loads["nurse2"].due_today, loads["nurse2"].overdue) == (3, 2, 1)
    assert (loads["nurse"].open_load, loads["nurse"].due_today, loads["nurse"].overdue) == (0, 0, 0)
    assert list(loads) == ["nurse", "nurse2", "physician"]  # nurses first, then physicians


def test_becoming_a_supervisor_counts_at_once_for_a_requests_lazy_user(nurse):
    # A request's user is a lazy object; what it remembers of the user's permissions is
    # forgotten when their groups change, wherever it was kept.
    from django.utils.functional import SimpleLazyObject

    lazy = SimpleLazyObject(lambda: nurse)
    assert not user_can(lazy, Perm.CASE_REASSIGN_BULK)

    user_set_supervisor(user=lazy)
    assert user_can(lazy, Perm.CASE_REASSIGN_BULK)

    user_set_supervisor(user=lazy, supervisor=False)
    assert not user_can(lazy, Perm.CASE_REASSIGN_BULK)
