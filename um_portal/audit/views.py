"""The audit pages: who read which member or case, when and from where; CSV export (itself
logged); a member's accounting of disclosures.

A page, so a composition module (pyproject.toml, import contracts): it looks up members and
case references in `cases`, which the log below it stores only as ids.

Filters travel in POST bodies, not query strings, because a member number is PHI and URLs
end up in browser history and proxy logs.
"""

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import Member
from cases.selectors import case_id_for_reference, case_references

from ..exceptions import NotAllowed
from ..models import AccessLog
from ..roles import Perm, user_can
from .log import access_log_export_record, access_log_record
from .selectors import AuditFilters, access_log_page, access_log_queryset, case_ids_in

EXPORT_MAX_ROWS = 100_000  # a year of a busy UMOC's reads fits; larger asks go to the DBA
EXPORT_CHUNK = 1_000


class AuditFilterForm(forms.Form):
    username = forms.CharField(required=False, max_length=150, label="User")
    member_number = forms.CharField(required=False, max_length=20, label="Member number")
    case_reference = forms.CharField(required=False, max_length=20, label="Case reference")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def filters(self) -> AuditFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return AuditFilters(
            username=data.get("username") or "",
            member_number=data.get("member_number") or "",
            case_reference=data.get("case_reference") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


def _log_rows(filters: AuditFilters):
    case_id = case_id_for_reference(filters.case_reference) if filters.case_reference else None
    return access_log_queryset(filters, case_id=case_id)


def _references(rows) -> dict[str, str]:
    return case_references(case_ids_in(rows))


def _require_audit(user) -> None:
    if not user_can(user, Perm.AUDIT_VIEW):
        raise NotAllowed("Only UM administrators can read the audit log.")


@login_required
@require_http_methods(["GET", "POST"])
def audit_log(request):
    _require_audit(request.user)
    form = AuditFilterForm(request.POST or None)
    cursor = form.cleaned_data.get("cursor") if form.is_bound and form.is_valid() else None
    rows, next_cursor = access_log_page(_log_rows(form.filters()), cursor=cursor)
    return render(
        request,
        "audit/log.html",
        {"form": form, "rows": rows, "references": _references(rows), "next_cursor": next_cursor},
    )


def _csv_cell(value) -> str:
    """Neutralise spreadsheet formulas (CSV injection, OWASP)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


def _export_rows(qs):
    writer = csv.writer(_Echo())
    yield writer.writerow(
        [
            "at",
            "user",
            "user_name",
            "organization",
            "what",
            "object_id",
            "case_reference",
            "member_number",
            "how",
            "ip_address",
        ]
    )
    sent, cursor = 0, None
    while sent < EXPORT_MAX_ROWS:
        rows, cursor = access_log_page(qs, cursor=cursor, size=EXPORT_CHUNK)
        references = _references(rows)
        for row in rows:
            yield writer.writerow(
                [
                    _csv_cell(value)
                    for value in (
                        timezone.localtime(row.at).isoformat(),
                        row.user.username if row.user else "",
                        row.user.display_name if row.user else "",
                        (row.user.organization if row.user and row.user.organization_id else "UMOC")
                        if row.user
                        else "",
                        row.get_object_kind_display(),
                        row.object_id,
                        references.get(row.object_id, ""),
                        row.member.member_number if row.member else "",
                        row.get_how_display(),
                        row.ip_address or "",
                    )
                ]
            )
        sent += len(rows)
        if cursor is None:
            break


@login_required
@require_POST
def audit_export(request):
    _require_audit(request.user)
    form = AuditFilterForm(request.POST)
    filters = form.filters()
    qs = _log_rows(filters)
    filters_text = ", ".join(f"{key}={value}" for key, value in vars(filters).items() if value)
    access_log_export_record(
        user=request.user, request=request, row_count=min(qs.count(), EXPORT_MAX_ROWS), filters_text=filters_text
    )
    response = StreamingHttpResponse(_export_rows(qs), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def member_disclosures(request, member_id: int):
    """Accounting of disclosures (45 CFR 164.528): every recorded read of this member's
    information, by whom and from which organization."""
    _require_audit(request.user)
    member = get_object_or_404(Member, pk=member_id)
    access_log_record(user=request.user, obj=member, how=AccessLog.How.PAGE, request=request)
    qs = AccessLog.objects.filter(member=member).select_related("user", "user__organization").order_by("-at", "-id")
    rows, next_cursor = access_log_page(qs, cursor=request.GET.get("before"))
    return render(
        request,
        "audit/member.html",
        {"member": member, "rows": rows, "references": _references(rows), "next_cursor": next_cursor},
    )
