"""A case's read for its detail is compiled once per process and kind of access
(`cases.access.case_for_user(compiled=...)`, `um_portal.compiled.instances_once`, issue #13):
the case's id, the permission's and the user's groups' ids are its parameters. These tests
read cases as different users one after the other, the first compiling the read, and expect
each answer to be the one compiling afresh would give."""

import pytest

from cases.access import case_for_user
from cases.models import AuthorizationRequest
from cases.services.providers import organization_access_group
from um_portal import compiled
from um_portal.exceptions import NotFound

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("compiled_afresh")]


def _status(api, user, case) -> int:
    return api.as_user(user).get(f"/api/v1/authorizations/{case.pk}/").status_code


def test_each_office_reads_only_its_own_cases(api, make_case, provider, provider2, imaging, ortho, surgeon):
    # Given a case of each office (the office of `provider` requests the first, the other
    # services the second), and both offices with one access group each
    ortho_case = make_case()
    imaging_case = make_case(requesting_organization=imaging, servicing_organization=imaging)
    assert provider.groups.count() == provider2.groups.count()

    # When each office reads both cases, in turn, through the same compiled read
    answers = [
        (_status(api, provider, ortho_case), _status(api, provider2, ortho_case)),
        (_status(api, provider2, imaging_case), _status(api, provider, imaging_case)),
    ]

    # Then each reads its own and gets 404 for the other's
    assert answers == [(200, 404), (200, 404)]
    keys = [key for key in compiled._compiled if "case_for_user" in key]
    assert len(keys) == 1  # one read for both offices: their ids are parameters


def test_staff_and_offices_do_not_share_a_read(api, make_case, nurse, provider2):
    # Given a case a nurse reads first (the read of staff, who see every case)
    case = make_case()
    assert _status(api, nurse, case) == 200

    # Then an office that may not see it still gets 404
    assert _status(api, provider2, case) == 404


def test_an_office_that_loses_its_access_group_reads_nothing_next_time(api, make_case, provider, ortho):
    # Given a case the office reads
    case = make_case()
    assert _status(api, provider, case) == 200

    # When the user leaves the office's access group
    provider.groups.remove(organization_access_group(organization=ortho))
    provider._um_group_ids = None

    # Then its next read of the case is 404
    assert _status(api, provider, case) == 404


def test_the_compiled_read_is_the_case_row_and_refuses_what_the_plain_read_refuses(make_case, provider, provider2):
    # Given a case of the office of `provider`
    case = make_case()
    plain = case_for_user(provider, case.pk)

    # When it is read through the compiled read
    read = case_for_user(provider, case.pk, compiled="test")

    # Then it is the same row, field for field; another office and a missing id get 404
    names = [f.attname for f in AuthorizationRequest._meta.concrete_fields]
    assert {name: getattr(read, name) for name in names} == {name: getattr(plain, name) for name in names}
    with pytest.raises(NotFound):
        case_for_user(provider2, case.pk, compiled="test")
    with pytest.raises(NotFound):
        case_for_user(provider, "9b0e0b5e-0000-4000-8000-000000000000", compiled="test")
