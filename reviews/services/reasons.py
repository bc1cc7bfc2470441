"""Resolving the coded reason a decision cites (issue 16, item 2). Every door (page, API,
admin, shell) reaches the decision services, which call this: a denial, partial approval,
pend or adverse appeal decision without a valid code is refused before anything is written."""

from django.utils import timezone

from reviews.models import ReasonCode
from um_portal.exceptions import ValidationFailed

from ..selectors_reasons import reason_catalogue_in_use

Kind = ReasonCode.Kind


def _refuse(message: str, detail: str | None = None):
    raise ValidationFailed(message, errors={"reason_code": [detail or message]})


def reason_code_resolve(*, code, kind: str, basis: str = "") -> ReasonCode:
    """The catalogue entry for `code` in the catalogue version in use today, fit for a
    decision of `kind` (and, for a denial, of `basis`). 400 naming the problem otherwise."""
    code = (str(code) if code is not None else "").strip().upper()
    label = Kind(kind).label
    if not code:
        _refuse(f"Choose a reason code for this {label}.", "This field is required.")
    catalogue = reason_catalogue_in_use(on=timezone.localdate())
    entry = None
    if catalogue is not None:
        entry = ReasonCode.objects.select_related("catalogue").filter(catalogue=catalogue, code=code).first()
    if entry is None:
        older = (
            ReasonCode.objects.select_related("catalogue")
            .filter(code=code)
            .order_by("-catalogue__effective_from")
            .first()
        )
        if older is not None:
            current = f"; use a code of version {catalogue.version}" if catalogue else ""
            _refuse(
                f"Reason code {code} is from catalogue version {older.catalogue.version}, which is not in use{current}."
            )
        _refuse(f"Unknown reason code {code}.")
    if kind not in entry.kinds:
        _refuse(f"Reason code {code} ({entry.label}) is not for a {label}.")
    if basis and entry.basis and entry.basis != basis:
        _refuse(f"Reason code {code} ({entry.label}) does not fit a decision on these grounds.")
    return entry
