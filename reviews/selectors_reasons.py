"""Reads of the reason-code catalogue: the version in use, the codes a form offers, and the
X12 HCR03 code of a decision (PAS reviewAction.reasonCode)."""

from django.db.models import Q

from .models import Decision, ReasonCatalogue, ReasonCode


def reason_catalogue_in_use(*, on) -> ReasonCatalogue | None:
    """The latest version effective on `on` and not retired by then."""
    return (
        ReasonCatalogue.objects.filter(effective_from__lte=on)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=on))
        .order_by("-effective_from")
        .first()
    )


def reason_codes_in_use(*, on) -> list[ReasonCode]:
    """Every code of the version in use on `on` (one query), for the forms to filter."""
    catalogue = (
        ReasonCatalogue.objects.filter(effective_from__lte=on)
        .filter(Q(retired_on__isnull=True) | Q(retired_on__gt=on))
        .order_by("-effective_from")
        .values("pk")[:1]
    )
    return list(ReasonCode.objects.filter(catalogue__in=catalogue).select_related("catalogue").order_by("code"))


def reason_codes_fit(codes, *, kind: str, bases=None) -> list[ReasonCode]:
    """Those of `codes` a decision of `kind` may cite on one of `bases` (None: any basis)."""
    return [c for c in codes if kind in c.kinds and (bases is None or not c.basis or c.basis in bases)]


def decision_x12_reason_code(decision: Decision | None) -> str:
    """HCR03 (X12 code list 886) for a decision, "" where it carries no coded reason. Reads
    `coded_reason`: select it with the decision where many are read."""
    if decision is None or decision.coded_reason_id is None:
        return ""
    return decision.coded_reason.x12_code
