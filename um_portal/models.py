from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Now

from .validators import PHONE_MAX_LENGTH


class User(AbstractUser):
    """A portal user. Provider office staff belong to one provider organization; UMOC
    staff belong to none. The role comes from the user's group (um_portal.roles)."""

    organization = models.ForeignKey(
        "cases.ProviderOrganization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text="Provider office staff only: the organization they work for.",
    )
    credentials = models.CharField(
        max_length=40, blank=True, help_text="Professional credentials shown on decisions, e.g. 'RN' or 'MD'."
    )
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)

    @property
    def display_name(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name

    @property
    def public_name(self) -> str:
        """The name shown to providers: never the username, which is half of a sign-in
        (issue 12). Without a name on file, the plan's staff are "UM Operations Center"."""
        name = self.get_full_name()
        if not name:
            return PUBLIC_STAFF_NAME if self.organization_id is None else "Provider office staff"
        return f"{name}, {self.credentials}" if self.credentials else name


PUBLIC_STAFF_NAME = "UM Operations Center"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only: update() is refused.")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only: delete() is refused.")


class AppendOnlyModel(models.Model):
    """Rows are written once. The ORM refuses updates and deletes; the database enforces
    the same with a trigger on PostgreSQL (see the audit migration)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only: they cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only: they cannot be deleted.")


class AccessLog(AppendOnlyModel):
    """Every read of PHI (a case, a member, a document, a letter): who, what, when, how."""

    class ObjectKind(models.TextChoices):
        CASE = "case", "Case"
        MEMBER = "member", "Member"
        ATTACHMENT = "attachment", "Document"
        LETTER = "letter", "Letter"
        FAX = "fax", "Fax"
        STAY = "stay", "Inpatient stay"
        ACCESS_LOG = "access_log", "Access log export"

    class How(models.TextChoices):
        PAGE = "page", "Web page"
        API = "api", "API"
        DOWNLOAD = "download", "Download"
        ADMIN = "admin", "Admin"
        EXPORT = "export", "Export"

    # Set by the database (DEFAULT now(), and an insert trigger that replaces any value a
    # client sends): a row cannot be backdated (issue 12, item 5; um_portal/audit/database.py).
    at = models.DateTimeField(db_default=Now(), editable=False, db_index=True)
    # No index of their own on `user` and `member`: the (user, at) and (member, at) indexes
    # below serve every lookup by either, and each index is written for every row read (a
    # queue page logs 50 rows; issue #13). No foreign-key constraint in the database either
    # (db_constraint=False): PostgreSQL checked each row's user and member at commit, a
    # FOR KEY SHARE lock on each (100 lookups for a queue page, and every busy request of one
    # nurse locking the same user row): half the cost of logging a page. The ids come from
    # the rows just read; PROTECT still refuses, in the ORM, to delete a user or member the
    # log names (tests/um_portal/test_audit_log_many.py).
    user = models.ForeignKey(
        "um_portal.User",
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    object_kind = models.CharField(max_length=20, choices=ObjectKind.choices)
    object_id = models.CharField(max_length=64)
    member = models.ForeignKey(
        "cases.Member",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
        help_text="The member whose information was read, for the accounting of disclosures.",
    )
    how = models.CharField(max_length=20, choices=How.choices)
    path = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["object_kind", "object_id"]),
            models.Index(fields=["member", "at"]),
            models.Index(fields=["user", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} read {self.object_kind} {self.object_id} ({self.how})"


class IdempotencyKey(models.Model):
    """One creating POST per (user, Idempotency-Key): the first response is kept and
    replayed for 24 hours. The unique constraint, not a cache, makes a concurrent double
    submit create one object (the second insert waits for the first to commit)."""

    user = models.ForeignKey("um_portal.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # What the key was used for: the path and a hash of the JSON body.
    path = models.CharField(max_length=300)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class MFAEnrolmentLink(models.Model):
    """A one-time, expiring link an administrator issues so a user enrols an authenticator
    (issue 12, item 3): where a second factor is required, a password alone never enrols
    one. Only the SHA-256 of the secret in the link is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mfa_enrolment_links")
    token_hash = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="Replaced by a newer link.")

    class Meta:
        indexes = [models.Index(fields=["user", "used_at"], name="mfa_link_user_open")]

    def __str__(self) -> str:
        return f"Enrolment link for {self.user} (issued {self.issued_at:%Y-%m-%d %H:%M})"


class ApiTokenActivity(models.Model):
    """When an API token was last used: tokens expire after API_TOKEN_IDLE_DAYS without use
    (um_portal.api_tokens). A token without a row counts from its creation."""

    token = models.OneToOneField(
        "authtoken.Token", primary_key=True, on_delete=models.CASCADE, related_name="activity", db_constraint=True
    )
    last_used_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Token of user {self.token.user_id} last used {self.last_used_at:%Y-%m-%d %H:%M}"
