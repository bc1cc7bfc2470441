"""Issue 12, item 3: with enforcement on, a staff account without an authenticator could be
enrolled by whoever knew its password. Now such an account cannot sign in (page, admin,
API token) and enrols only through a one-time, expiring link an administrator issues
(admin action or `manage.py mfa_enrolment_link`), which asks for the password too.
Demo mode keeps enrolment from the password for the seeded logins."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from tests.conftest import PASSWORD
from um_portal.exceptions import NotAllowed
from um_portal.mfa import mfa_enrolment_link_issue, totp_device_confirm, totp_device_start
from um_portal.models import MFAEnrolmentLink

from .test_mfa_enforcement import current_code

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture(autouse=True)
def enforced(settings):
    settings.MFA_ENFORCED = True
    settings.DEMO_MODE = False


def _path(token: str) -> str:
    return f"/accounts/mfa/enrol/{token}/"


def test_the_password_alone_neither_signs_in_nor_enrols_a_staff_account(nurse):
    attacker = Client()

    page = attacker.post("/accounts/login/", {"username": "nurse", "password": PASSWORD})
    assert page.status_code == 200
    assert "_auth_user_id" not in attacker.session
    assert "enrolment link" in page.content.decode()

    admin = attacker.post("/admin/login/", {"username": "nurse", "password": PASSWORD})
    assert "_auth_user_id" not in attacker.session and admin.status_code == 200

    token = APIClient().post("/api/v1/auth/token/", {"username": "nurse", "password": PASSWORD}, format="json")
    assert token.status_code == 401 and token.json()["code"] == "mfa_enrolment_required"
    assert "enrolment link" in token.json()["detail"]

    assert not TOTPDevice.objects.filter(user=nurse).exists()


def test_a_session_without_a_second_factor_cannot_reach_enrolment_and_is_ended(client, nurse):
    # A session opened before this rule (or any other way): enrolment refuses, pages end it.
    client.force_login(nurse)
    assert client.get("/accounts/mfa/setup/").status_code == 403
    assert client.post("/accounts/mfa/setup/", {"token": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=nurse).exists()

    page = client.get("/")
    assert page.status_code == 403 and "enrolment link" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_services_refuse_enrolment_without_a_link_whatever_the_door(nurse, physician):
    with pytest.raises(NotAllowed):
        totp_device_start(user=nurse)
    device = TOTPDevice.objects.create(user=physician, name="authenticator", confirmed=False)
    with pytest.raises(NotAllowed):
        totp_device_confirm(user=physician, device=device, token="123456")
    device.refresh_from_db()
    assert not device.confirmed


def test_an_enrolment_link_enrols_once_after_the_password(nurse, admin_user):
    _, token = mfa_enrolment_link_issue(user=nurse, by=admin_user)
    browser = Client()

    first = browser.get(_path(token))
    assert first.status_code == 200 and 'id="id_password"' in first.content.decode()
    assert "totp-secret" not in first.content.decode(), "no secret before the password"

    wrong = browser.post(_path(token), {"password": "not-the-password-1"})
    assert "not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=nurse).exists()

    assert browser.post(_path(token), {"password": PASSWORD}).status_code == 302
    qr = browser.get(_path(token))
    assert 'id="totp-secret"' in qr.content.decode()
    device = TOTPDevice.objects.get(user=nurse, confirmed=False)

    done = browser.post(_path(token), {"token": current_code(device)})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert MFAEnrolmentLink.objects.get(user=nurse).used_at is not None
    assert browser.get("/").status_code == 200, "signed in with the new second factor"

    again = Client().get(_path(token))
    assert again.status_code == 404 and "already used" in again.content.decode()


def test_a_secret_seen_before_the_link_is_never_the_one_confirmed(nurse):
    # A pending device an attacker created (and saw) with the password alone, before the fix.
    planted = TOTPDevice.objects.create(user=nurse, name="authenticator", confirmed=False)
    _, token = mfa_enrolment_link_issue(user=nurse)
    browser = Client()
    browser.post(_path(token), {"password": PASSWORD})
    browser.get(_path(token))
    assert not TOTPDevice.objects.filter(pk=planted.pk).exists()


def test_an_expired_replaced_or_unknown_link_is_refused(nurse):
    _, old = mfa_enrolment_link_issue(user=nurse)
    _, new = mfa_enrolment_link_issue(user=nurse)
    assert Client().get(_path(old)).status_code == 404, "replaced by the newer link"
    assert Client().get(_path("made-up-token")).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        late = Client().get(_path(new))
    assert late.status_code == 404 and "expired" in late.content.decode()


def test_only_a_hash_of_the_link_is_stored(nurse):
    link, token = mfa_enrolment_link_issue(user=nurse)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not MFAEnrolmentLink.objects.filter(token_hash=token).exists()


def test_administrator_sends_a_link_from_the_user_admin(settings, admin_user, nurse, physician):
    settings.MFA_ENFORCED = False  # the administrator's own second factor is not the point here
    nurse.email = "nurse@plan.example"
    nurse.save(update_fields=["email"])
    physician.email = ""
    physician.save(update_fields=["email"])
    admin = Client()
    admin.force_login(admin_user)

    response = admin.post(
        "/admin/um_portal/user/",
        {"action": "send_mfa_enrolment_link", "_selected_action": [nurse.pk, physician.pk]},
        follow=True,
    )

    body = response.content.decode()
    assert "Enrolment link for nurse e-mailed" in body
    assert "hysician has no e-mail address" in body and "/accounts/mfa/enrol/" in body
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nurse@plan.example"]
    assert "/accounts/mfa/enrol/" in mail.outbox[0].body
    assert MFAEnrolmentLink.objects.filter(issued_by=admin_user).count() == 2


def test_the_command_prints_a_working_link(nurse):
    out = StringIO()
    call_command("mfa_enrolment_link", "nurse", stdout=out, stderr=StringIO())
    url = out.getvalue().strip()
    assert "/accounts/mfa/enrol/" in url
    path = url[url.index("/accounts/") :]
    assert Client().get(path).status_code == 200


def test_demo_mode_keeps_enrolment_from_the_password(settings, client, nurse):
    settings.DEMO_MODE = True
    assert client.post("/accounts/login/", {"username": "nurse", "password": PASSWORD}).status_code == 302
    assert client.get("/")["Location"].startswith("/accounts/mfa/setup/")
    assert client.get("/accounts/mfa/setup/").status_code == 200


def test_wrong_passwords_on_the_link_page_count_toward_the_lockout(settings, nurse):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    _, token = mfa_enrolment_link_issue(user=nurse)
    browser = Client(REMOTE_ADDR="198.51.100.90")
    for _ in range(3):
        browser.post(_path(token), {"password": "not-the-password-1"})

    locked = browser.post(_path(token), {"password": PASSWORD})

    assert locked.status_code == 429
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    assert "_auth_user_id" not in browser.session
