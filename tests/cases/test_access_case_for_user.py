"""The one access helper for cases: strangers get 404 (as for a missing case), a role
without the permission gets 403, and a refused attempt writes nothing."""

import uuid

import pytest

from cases.access import case_for_user, cases_visible_to
from cases.models import CaseEvent
from um_portal.exceptions import NotAllowed, NotFound
from um_portal.models import AccessLog
from um_portal.roles import Perm

from ..factories import UserFactory


@pytest.mark.django_db
def test_requesting_and_servicing_organizations_see_the_case(make_case, provider, provider2, imaging):
    case = make_case(servicing_organization=imaging)
    assert case_for_user(provider, case.pk) == case
    assert case_for_user(provider2, case.pk) == case


@pytest.mark.django_db
def test_stranger_organization_gets_404_like_a_missing_case_and_nothing_is_written(make_case, provider2):
    case = make_case()  # ortho requests and services; provider2 works at imaging
    events, logs = CaseEvent.objects.count(), AccessLog.objects.count()

    with pytest.raises(NotFound) as stranger:
        case_for_user(provider2, case.pk, need=Perm.CASE_WITHDRAW)
    with pytest.raises(NotFound) as missing:
        case_for_user(provider2, uuid.uuid4())

    assert stranger.value.message == missing.value.message
    assert stranger.value.status_code == 404
    assert (CaseEvent.objects.count(), AccessLog.objects.count()) == (events, logs)


@pytest.mark.django_db
def test_garbage_id_is_404(provider):
    with pytest.raises(NotFound):
        case_for_user(provider, "not-a-uuid")


@pytest.mark.django_db
def test_user_without_role_sees_nothing(make_case):
    case = make_case()
    nobody = UserFactory(username="nobody")
    assert not cases_visible_to(nobody).exists()
    with pytest.raises(NotFound):
        case_for_user(nobody, case.pk)


@pytest.mark.django_db
def test_staff_see_every_case_but_need_the_role_permission(make_case, nurse, admin_user):
    case = make_case()
    assert case_for_user(nurse, case.pk, need=Perm.CASE_APPROVE) == case
    with pytest.raises(NotAllowed):
        case_for_user(nurse, case.pk, need=Perm.CASE_DENY_MEDICAL_NECESSITY)
    with pytest.raises(NotAllowed):
        case_for_user(admin_user, case.pk, need=Perm.CASE_APPROVE)


@pytest.mark.django_db
def test_provider_cannot_use_reviewer_permissions(make_case, provider):
    case = make_case()
    with pytest.raises(NotAllowed):
        case_for_user(provider, case.pk, need=Perm.CASE_APPROVE)


@pytest.mark.django_db
def test_provider_list_is_scoped_to_their_organization(make_case, provider, provider2, imaging):
    mine = make_case()
    theirs = make_case(requesting_organization=imaging, servicing_organization=imaging, requesting_practitioner=None)
    assert list(cases_visible_to(provider)) == [mine]
    assert list(cases_visible_to(provider2)) == [theirs]
