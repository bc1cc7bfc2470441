"""`cases.access.case_granted`: the django-guardian grant check every provider read goes
through, written as SQL from the grant model (issue #13) rather than compiled from an
`Exists` subquery. Guardian's rows stay the authority: these hold it to what they say."""

import pytest
from guardian.shortcuts import remove_perm

from cases.access import ACT_CODENAME, VIEW_CODENAME, case_granted, cases_visible_to
from cases.models import AuthorizationRequest, ServiceLine
from cases.services.providers import organization_access_group

from ..factories import UserFactory


@pytest.fixture
def three_cases(make_case, imaging):
    """Ortho's own, ortho's serviced by imaging, and one whose grants were taken back."""
    own = make_case()
    shared = make_case(servicing_organization=imaging)
    revoked = make_case()
    return own, shared, revoked


@pytest.mark.django_db
def test_a_provider_sees_exactly_the_cases_their_groups_hold_a_grant_for(three_cases, provider, provider2, ortho):
    own, shared, revoked = three_cases
    remove_perm(f"cases.{VIEW_CODENAME}", organization_access_group(organization=ortho), revoked)

    assert set(cases_visible_to(provider)) == {own, shared}
    assert set(cases_visible_to(provider2)) == {shared}
    # The complement, through the same expression negated.
    assert set(AuthorizationRequest.objects.exclude(case_granted(provider))) == {revoked}


@pytest.mark.django_db
def test_view_and_act_are_separate_grants(three_cases, provider, ortho):
    own, shared, revoked = three_cases
    remove_perm(f"cases.{ACT_CODENAME}", organization_access_group(organization=ortho), own)

    acting = AuthorizationRequest.objects.filter(case_granted(provider, ACT_CODENAME))
    assert set(acting) == {shared, revoked}
    assert set(AuthorizationRequest.objects.filter(case_granted(provider))) == {own, shared, revoked}


@pytest.mark.django_db
def test_a_user_in_no_group_is_granted_nothing_and_its_negation_everything(three_cases):
    nobody = UserFactory(username="groupless")
    assert not AuthorizationRequest.objects.filter(case_granted(nobody)).exists()
    assert AuthorizationRequest.objects.exclude(case_granted(nobody)).count() == 3


@pytest.mark.django_db
def test_the_case_may_be_named_by_another_column_of_the_query(three_cases, provider2):
    """As the worklist checks service lines by their case_id."""
    own, shared, revoked = three_cases
    lines = ServiceLine.objects.filter(case_granted(provider2, case_ref="case_id"))
    assert {line.case_id for line in lines} == {shared.pk}
    assert lines.count() == shared.lines.count() > 0


@pytest.mark.django_db
def test_inside_a_subquery_the_case_is_the_subquery_own(three_cases, provider2):
    """Used as `case__in=cases_visible_to(user).values("pk")`, the grant is checked against
    the inner query's case, not the outer row."""
    own, shared, revoked = three_cases
    lines = ServiceLine.objects.filter(case__in=cases_visible_to(provider2).values("pk"))
    assert {line.case_id for line in lines} == {shared.pk}
