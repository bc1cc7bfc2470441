"""Password strength and a reset by e-mail that never says whether an account exists."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError


@pytest.mark.parametrize(
    "weak",
    ["short-pass1", "password1234", "123456789012345", "nurse@um-portal.example"],
    ids=["too-short", "common", "numeric", "like-email"],
)
@pytest.mark.django_db
def test_weak_passwords_are_refused(nurse, weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=nurse)


@pytest.mark.django_db
def test_a_long_uncommon_passphrase_is_accepted(nurse):
    validate_password("violet-harbor-lantern-42", user=nurse)


@pytest.mark.django_db
def test_reset_answers_the_same_for_known_and_unknown_addresses(client, nurse):
    known = client.post("/accounts/password/reset/", {"email": nurse.email}, follow=True)
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [("/accounts/password/reset/sent/", 302)]
    assert known.content == unknown.content
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [nurse.email]


@pytest.mark.django_db
def test_the_reset_link_sets_a_new_password_once(client, nurse):
    client.post("/accounts/password/reset/", {"email": nurse.email})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    new = "violet-harbor-lantern-42"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done["Location"] == "/accounts/password/reset/done/"
    nurse.refresh_from_db()
    assert nurse.check_password(new)
    assert "Link no longer valid" in client.get(link, follow=True).content.decode()
