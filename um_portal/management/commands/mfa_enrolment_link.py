"""`manage.py mfa_enrolment_link <username> [--email]`: issue a one-time, expiring link that
enrols the user's authenticator (issue 12, item 3). Prints the link, or e-mails it to the
user's address with --email. The way in for the first administrator of a new installation,
who has nobody to send them one."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from um_portal.mfa import mfa_enrolment_link_issue, mfa_enrolment_link_send, mfa_enrolment_url


class Command(BaseCommand):
    help = "Issue a one-time two-step enrolment link for a user (older links of theirs stop working)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", action="store_true", help="E-mail it to the user instead of printing it.")

    def handle(self, *args, username: str, email: bool, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {username!r}.")
        if email:
            if not user.email:
                raise CommandError(f"{username} has no e-mail address: run without --email and hand the link over.")
            link, _, _ = mfa_enrolment_link_send(user=user)
            until = timezone.localtime(link.expires_at)
            self.stdout.write(f"E-mailed to {user.email}; it works once, until {until:%Y-%m-%d %H:%M %Z}.")
            return
        link, token = mfa_enrolment_link_issue(user=user)
        self.stdout.write(mfa_enrolment_url(token))
        self.stderr.write(f"Works once, until {timezone.localtime(link.expires_at):%Y-%m-%d %H:%M %Z}.")
