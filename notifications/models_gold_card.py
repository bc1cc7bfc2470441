"""Letters to a provider organization about its gold card (granted, notice of revocation,
revoked, notice withdrawn): one per gold-card event, rendered once to PDF."""

import uuid

from django.db import models


def gold_card_letter_path(instance, filename: str) -> str:
    return f"letters/organizations/{instance.organization_id}/{instance.pk}.pdf"


class GoldCardLetter(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "cases.ProviderOrganization", on_delete=models.PROTECT, related_name="gold_card_letters"
    )
    # Exactly once: one letter per gold-card event.
    event = models.OneToOneField("automation.GoldCardEvent", on_delete=models.PROTECT, related_name="letter")
    title = models.CharField(max_length=160)
    body = models.TextField()
    pdf = models.FileField(upload_to=gold_card_letter_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.organization_id})"
