"""`um_portal.sessions`: Django's database sessions, each read by one statement written
once (prepared on PostgreSQL). The same rows as Django's engine reads: a live session, not
an expired or unknown one, and sessions made by either engine read by the other."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from um_portal.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_session_made_by_django_is_read_as_django_reads_it():
    made = db.SessionStore()
    made.update({"_auth_user_id": "7", "note": "é"})
    made.create()

    with CaptureQueriesContext(connection) as queries:
        read = SessionStore(made.session_key).load()

    assert read == db.SessionStore(made.session_key).load() == {"_auth_user_id": "7", "note": "é"}
    assert len(queries) == 1


def test_an_expired_or_unknown_session_reads_as_empty_and_forgets_its_key():
    made = SessionStore()
    made["x"] = 1
    made.create()
    Session.objects.filter(session_key=made.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))

    expired = SessionStore(made.session_key)
    unknown = SessionStore("nosuchsessionkey0123456789abcdef")
    assert expired.load() == {} and expired.session_key is None
    assert unknown.load() == {} and unknown.session_key is None


def test_a_session_made_here_is_read_by_django(client, nurse):
    client.force_login(nurse)
    key = client.cookies["sessionid"].value
    assert db.SessionStore(key).load()["_auth_user_id"] == str(nurse.pk)
    page = client.get("/reviews/queue/")
    assert page.status_code == 200 and "Work queue" in page.content.decode()  # read back: signed in
    assert SessionStore(key).load()["_auth_user_id"] == str(nurse.pk)
