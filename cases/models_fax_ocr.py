"""OCR of a received fax and what the nurse kept of its pre-fill (issue 18, item 2).

`FaxOcr` is one row per fax: the state of its OCR run, each page's text and the candidates
read from it, per request found in the fax. `FaxPrefill` is one row per case keyed from a
fax with pre-fill: which form fields were pre-filled and which the nurse kept unchanged,
the source of the dashboard's OCR field accuracy (kept / pre-filled). Both are written only
through `cases.services.fax_ocr`."""

from django.db import models


class FaxOcr(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be read"
        RUNNING = "running", "Being read"
        DONE = "done", "Read"
        OFF = "off", "OCR pre-fill is off"
        FAILED = "failed", "Could not be read"

    fax = models.OneToOneField("cases.FaxReceipt", primary_key=True, on_delete=models.CASCADE, related_name="ocr")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message = models.CharField(max_length=300, blank=True, help_text="Why OCR is off or failed.")
    engine = models.CharField(max_length=60, blank=True, help_text="Tesseract version that read the pages.")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True, help_text="OCR time of all pages.")
    # [{"page": 1, "text": "...", "confidence": 91.5, "words": 180}, ...]
    pages = models.JSONField(default=list, blank=True)
    # [{"pages": [1, 6], "fields": {...}, "lines": [...], "unread": [...], "problems": [...]}, ...]
    requests = models.JSONField(default=list, blank=True)
    # {"reference": "UM-2026-000123", "page": 1, "case_id": "..."} when the fax names a case.
    follow_up = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = "fax OCR"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status__in=["off", "failed"]) | ~models.Q(message=""),
                name="fax_ocr_off_or_failed_says_why",
            )
        ]

    def __str__(self) -> str:
        return f"OCR of {self.fax_id}: {self.status}"


class FaxPrefill(models.Model):
    """A case keyed from a pre-filled fax: the form fields OCR filled and those the nurse
    submitted unchanged (`prefill_kept` is a subset of `prefill_fields`)."""

    case = models.OneToOneField("cases.AuthorizationRequest", on_delete=models.CASCADE, related_name="fax_prefill")
    fax = models.ForeignKey("cases.FaxReceipt", on_delete=models.CASCADE, related_name="prefills")
    request_index = models.PositiveIntegerField(default=0, help_text="Which request of the fax (0 = first).")
    prefill_fields = models.JSONField(default=list)
    prefill_kept = models.JSONField(default=list)
    keyed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["keyed_at"], name="fax_prefill_keyed_idx")]

    def __str__(self) -> str:
        return f"{len(self.prefill_kept)}/{len(self.prefill_fields)} kept"
