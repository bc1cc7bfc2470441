import secrets

from django.conf import settings
from django.db import models


def _client_id_new() -> str:
    return secrets.token_urlsafe(24)


class PasSubmission(models.Model):
    """One PAS request received ($submit): a new request, an update or a cancel of a case.

    It keeps what the answer must echo (the Claim's identifier and fullUrl, the Claim's item
    sequences by service line, the submitter's resources) and makes a resend answer the
    same case: one row per Claim identifier and submitter."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", "New request"
        UPDATE = "update", "Update"
        CANCEL = "cancel", "Cancel"

    case = models.ForeignKey("cases.AuthorizationRequest", on_delete=models.PROTECT, related_name="pas_submissions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Who sent it, for resends and $inquire: the provider organization ("org:<id>") or, for
    # UMOC staff entering for others, the user ("user:<id>").
    submitter = models.CharField(max_length=40)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    identifier_system = models.CharField(max_length=255, blank=True)
    identifier_value = models.CharField(max_length=120)
    claim_full_url = models.CharField(max_length=500)
    # {"<line number>": <Claim.item.sequence>}: the answer never renumbers the items.
    item_sequences = models.JSONField(default=dict)
    # The request Bundle as received, less attachment data (stored as case documents).
    request_bundle = models.JSONField()
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["submitter", "identifier_system", "identifier_value"], name="pas_submission_once_per_claim"
            )
        ]
        indexes = [models.Index(fields=["case", "received_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.identifier_value} -> {self.case_id}"


class PasSubscription(models.Model):
    """A provider organization's R4 Subscriptions-backport subscription to the PAS topic: a
    rest-hook endpoint told when one of the organization's requests is decided."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested (handshake pending)"
        ACTIVE = "active", "Active"
        ERROR = "error", "Error"
        OFF = "off", "Off"

    class Content(models.TextChoices):
        EMPTY = "empty", "Empty"
        ID_ONLY = "id-only", "Id only"
        FULL_RESOURCE = "full-resource", "Full resource"

    organization = models.ForeignKey(
        "cases.ProviderOrganization", on_delete=models.CASCADE, related_name="pas_subscriptions"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(max_length=300, blank=True)
    endpoint = models.URLField(max_length=500)
    content = models.CharField(max_length=15, choices=Content.choices, default=Content.ID_ONLY)
    # Sent with every notification (e.g. the subscriber's own Authorization header).
    headers = models.JSONField(default=list, blank=True)
    heartbeat_seconds = models.PositiveIntegerField(null=True, blank=True)
    events_since_start = models.PositiveIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.organization} -> {self.endpoint} ({self.status})"


class PasNotification(models.Model):
    """One notification to send: the handshake, a heartbeat, or one decision event. A
    decision event is notified exactly once per subscription (unique), sent by a Celery task
    that claims the row and retries transient failures with back-off."""

    class Kind(models.TextChoices):
        HANDSHAKE = "handshake", "Handshake"
        HEARTBEAT = "heartbeat", "Heartbeat"
        EVENT = "event-notification", "Event notification"

    subscription = models.ForeignKey(PasSubscription, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    event = models.ForeignKey("cases.CaseEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    event_number = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], condition=models.Q(event__isnull=False), name="pas_notify_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.event_number} to {self.subscription_id}"


class SmartClient(models.Model):
    """A provider organization's system registered by an administrator for SMART Backend
    Services (OAuth2 client credentials with a signed JWT assertion): its public keys, and
    the organization user whose permissions its access tokens carry."""

    organization = models.ForeignKey(
        "cases.ProviderOrganization", on_delete=models.CASCADE, related_name="smart_clients"
    )
    name = models.CharField(max_length=120)
    client_id = models.CharField(max_length=64, unique=True, default=_client_id_new, editable=False)
    # The client's public key set (JWKS): RS384 or ES384 keys, each with a "kid".
    jwks = models.JSONField(help_text='The public JWK Set: {"keys": [{"kty": "RSA", "kid": ..., ...}]}')
    acts_as = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A user of the organization: its role and access apply to the client's requests.",
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organization})"

    def clean(self):
        from django.core.exceptions import ValidationError

        from .jwks import jwks_check

        if self.acts_as_id and self.organization_id and self.acts_as.organization_id != self.organization_id:
            raise ValidationError({"acts_as": "Choose a user of this organization."})
        problem = jwks_check(self.jwks)
        if problem:
            raise ValidationError({"jwks": problem})


class SmartAccessToken(models.Model):
    """An access token issued to a SMART client: stored as its SHA-256 only, short-lived."""

    client = models.ForeignKey(SmartClient, on_delete=models.CASCADE, related_name="tokens")
    token_sha256 = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=300)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"token for {self.client_id} until {self.expires_at:%H:%M}"


class SmartAssertionUse(models.Model):
    """Each client assertion's jti is accepted once (replay protection, SMART Backend
    Services): unique per client until it expires."""

    client = models.ForeignKey(SmartClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "jti"], name="smart_assertion_once")]

    def __str__(self) -> str:
        return self.jti
