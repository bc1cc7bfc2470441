"""Keying a fax with its OCR pre-fill (issue 18, item 2): the fax beside the staff request
form, its fields pre-filled and highlighted with the page each was read from. The form and
its submit are the ordinary request form's (cases.views.submit); this module only adds the
fax's side."""

from django.urls import NoReverseMatch, reverse

from um_portal.audit import access_log_record
from um_portal.models import AccessLog

from .fax_view import fax_viewable
from .models import FaxReceipt
from .services.fax import fax_for_user
from .services.fax_ocr import Prefill, fax_prefill


def request_index(value) -> int:
    try:
        return max(0, min(int(value or 0), 50))
    except (TypeError, ValueError):
        return 0


def keying_open(request, fax_id, index) -> tuple[FaxReceipt, Prefill]:
    """The fax being keyed (access-logged: its text is on the page) and its pre-fill."""
    fax = fax_for_user(request.user, fax_id)
    access_log_record(user=request.user, obj=fax, how=AccessLog.How.PAGE, request=request)
    return fax, fax_prefill(fax=fax, request_index=request_index(index))


def prefill_mark(form, lines, prefill: Prefill) -> None:
    """Highlight each pre-filled field and say which page of the fax it was read from."""
    for name, page in prefill.pages.items():
        if name.startswith("lines-"):
            _, number, key = name.split("-", 2)
            if int(number) >= len(lines.forms):
                continue
            field = lines.forms[int(number)].fields[key]
            field.widget.attrs["title"] = f"Read from the fax, page {page}: check it"
        elif name in form.fields:
            field = form.fields[name]
            note = prefill.notes.get(name)
            field.help_text = f"Read from the fax, page {page}{f' ({note})' if note else ''}: check it against the fax."
        else:
            continue
        field.widget.attrs["class"] = (field.widget.attrs.get("class", "") + " prefilled").strip()
        field.widget.attrs["data-fax-page"] = str(page)


def keying_context(fax: FaxReceipt, prefill: Prefill) -> dict:
    request = prefill.requests[prefill.request_index] if prefill.requests else {}
    first_page = (request.get("pages") or [1])[0]
    follow_up = prefill.follow_up
    attach_url = ""
    if follow_up:
        try:  # attach-to-case is the inbox's (issue 18, item 2, h-fax): link to it once it exists
            attach_url = reverse("cases:fax_attach", kwargs={"fax_id": fax.pk})
        except NoReverseMatch:
            attach_url = reverse("cases:fax_detail", kwargs={"fax_id": fax.pk})
    return {
        "keying_fax": fax,
        "prefill": prefill,
        "prefill_requests": [
            {"index": i, "first": r["pages"][0] if r["pages"] else 1, "last": r["pages"][-1] if r["pages"] else 1}
            for i, r in enumerate(prefill.requests)
        ],
        "fax_first_page": first_page,
        "fax_viewable": fax_viewable(fax),
        "fax_attach_url": attach_url,
    }


def submitted_values(form, lines: list[dict]) -> dict:
    """The submitted values by form field name, to compare with what was pre-filled."""
    data = form.cleaned_data
    values = {
        name: data.get(name)
        for name in (
            "member_number",
            "member_date_of_birth",
            "requesting_provider_npi",
            "servicing_provider_npi",
            "urgency",
        )
    }
    values["diagnosis_codes"] = form.diagnosis_list()
    values["lines"] = lines
    return values
