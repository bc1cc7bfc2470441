"""`um_portal.auth_backends.ModelBackend`: Django's ModelBackend, a signed-in session's user
read with their groups in one statement on PostgreSQL (issue #13). The session's checks are
Django's: an inactive user or a changed password signs the session out. Sessions signed in
before it (Django's backend path) stay signed in."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.plans import sent_text
from um_portal import auth_backends
from um_portal.auth_backends import ModelBackend
from um_portal.roles import Role, user_role
from um_portal.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _statements_naming(captured, table: str) -> list[str]:
    return [sent_text(q["sql"]) for q in captured.captured_queries if table in sent_text(q["sql"])]


@pytest.mark.postgres
def test_the_user_and_their_groups_are_one_statement(client, nurse):
    client.force_login(nurse)

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/notifications/")

    assert page.status_code == 200 and nurse.display_name in page.content.decode()
    # One statement reads the user's row, and the only one to read their groups is the same.
    (read,) = _statements_naming(captured, '"um_portal_user" u')
    assert _statements_naming(captured, '"auth_group"') == [read]


@pytest.mark.postgres
def test_the_user_read_is_what_django_reads_with_the_role_kept(nurse, physician):
    for user, role in ((nurse, Role.NURSE), (physician, Role.PHYSICIAN)):
        read = ModelBackend().get_user(user.pk)
        assert read == user and read.password == user.password and read.username == user.username
        with CaptureQueriesContext(connection) as captured:
            assert user_role(read) == role
        assert len(captured) == 0  # read with the user
    assert ModelBackend().get_user(10**9) is None
    assert ModelBackend().get_user("not an id") is None


def test_an_inactive_user_is_signed_out(client, nurse):
    client.force_login(nurse)
    nurse.is_active = False
    nurse.save(update_fields=["is_active"])

    page = client.get("/reviews/queue/")

    assert page.status_code == 302 and "/login" in page["Location"]


def test_a_changed_password_signs_the_session_out(client, nurse):
    client.force_login(nurse)
    nurse.set_password("another-long-passphrase-2026")
    nurse.save(update_fields=["password"])

    assert client.get("/reviews/queue/").status_code == 302


def test_a_session_signed_in_by_djangos_backend_stays_signed_in(client, nurse):
    # A session signed in before the portal's backend: it names Django's ModelBackend.
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(nurse.pk),
            BACKEND_SESSION_KEY: auth_backends.DJANGO_MODEL_BACKEND,
            HASH_SESSION_KEY: nurse.get_session_auth_hash(),
        }
    )
    session.create()
    client.cookies["sessionid"] = session.session_key

    page = client.get("/reviews/queue/")

    assert page.status_code == 200 and "Work queue" in page.content.decode()
    assert page.wsgi_request.user == nurse
    assert SessionStore(session.session_key).load()[BACKEND_SESSION_KEY] == auth_backends.PATH


@pytest.mark.postgres
def test_the_granted_permissions_come_with_the_user_as_the_query_answers_them(nurse, nurse2, physician, physician2):
    # Held through the supervisor group, granted to the user alone, through another group of
    # theirs, or not at all: the user's read says what user_has_permission's own query says.
    from django.contrib.auth.models import Group, Permission

    from um_portal.roles import GRANTED_PERMISSIONS, user_has_permission, user_set_supervisor

    user_set_supervisor(user=nurse)
    manage = Permission.objects.get(content_type__app_label="reviews", codename="manage_referrals")
    nurse2.user_permissions.add(Permission.objects.get(content_type__app_label="cases", codename="reassign_cases"))
    leads = Group.objects.create(name="Referral leads")
    leads.permissions.add(manage)
    physician.groups.add(leads)
    codenames = [codename for codename, _roles in GRANTED_PERMISSIONS.values()]
    expected = {
        nurse: {"cases.reassign_cases"},
        nurse2: {"cases.reassign_cases"},
        physician: {"reviews.manage_referrals"},
        physician2: set(),
    }

    for user, held in expected.items():
        read = ModelBackend().get_user(user.pk)
        with CaptureQueriesContext(connection) as captured:
            answers = {codename for codename in codenames if user_has_permission(read, codename)}
        assert answers == held and len(captured) == 0
        # The same answers from the query, for the user read as Django reads it.
        plain = type(user).objects.get(pk=user.pk)
        assert {codename for codename in codenames if user_has_permission(plain, codename)} == held


@pytest.mark.postgres
def test_a_supervisors_queue_page_asks_no_permission_query(client, nurse):
    from um_portal.roles import user_set_supervisor

    user_set_supervisor(user=nurse)
    client.force_login(nurse)

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/reviews/queue/")

    assert page.status_code == 200 and 'id="bulk-reassign"' in page.content.decode()
    assert _statements_naming(captured, '"auth_permission"') == _statements_naming(captured, '"um_portal_user" u')
