"""Admin of letters: templates (versioned), letters, the mail/fax queue, appeal windows."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from um_portal.admin import ReadOnlyAdmin
from um_portal.audit import access_log_record
from um_portal.audit.admin import PhiReadLoggedAdmin
from um_portal.exceptions import DomainError

from .letters.sanitize import letter_html_sanitize
from .models import AppealWindow, ContinuationRun, Letter, LetterDelivery, LetterTemplate
from .services.delivery import delivery_queue_csv, delivery_queue_pdf
from .services.letters import letter_delivery_mark_sent, letter_retry
from .services.templates import letter_template_preview, letter_template_render_check, letter_template_revise

TEMPLATE_HELP = (
    "Django template language. Variables: plan_name, letter_date, reference, recipient_name, member_name, "
    "member_number, member_date_of_birth, requesting_provider, servicing_provider, received_on, services (each: "
    "description, code, units, approved_units, approved_text, start_date, end_date, dates, is_approved), to_member, "
    "member_services_phone, tty, criteria_copy_phone, um_physician_phone, um_phone; decisions: outcome, basis, "
    "reason, reviewer_name, reviewer_credentials, decided_on, criteria (name, source, version), appeal_days, "
    "appeal_deadline, expedited_appeal_text, ca_grievance_text, continued_coverage_text (concurrent reviews); "
    "pends: requested_information, respond_by; "
    "extensions: extension_reason, old_due, new_due, expedited_grievance_text; appeals: appeal_outcome, "
    "appeal_upheld; continuation of care: ended_organization, agreement_end_date, agreement_end_reason, "
    "covered_through, admitted_on, authorization_reference, provider_obligation_text, ca_continuity_conditions. "
    "A letter that does not print every required element is held, never sent."
)


class LetterTemplateForm(forms.ModelForm):
    class Meta:
        model = LetterTemplate
        fields = ("kind", "title", "body", "note")
        widgets = {"kind": forms.Select(choices=Letter.Kind.choices), "body": forms.Textarea(attrs={"rows": 30})}
        help_texts = {"body": TEMPLATE_HELP}

    def clean(self):
        """The save's check (letter_template_render_check, as the preview prints): a body
        that does not parse, or parses but cannot print on the sample case, is a form error
        on the body, not a letter failing later in the worker."""
        cleaned = super().clean()
        body = cleaned.get("body")
        kind = cleaned.get("kind") or self.instance.kind
        if body is None or kind not in Letter.Kind.values:
            return cleaned
        try:
            letter_template_render_check(
                kind=kind, title=cleaned.get("title") or "", body=letter_html_sanitize(body, template=True)
            )
        except DomainError as exc:
            self.add_error("body", ValidationError(exc.errors.get("body") or str(exc)))
        return cleaned


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """Saving never overwrites: it adds the next version (letters keep the one they used)."""

    form = LetterTemplateForm
    change_form_template = "admin/notifications/lettertemplate/change_form.html"
    list_display = ("kind", "version", "title", "note", "created_by", "created_at")
    list_filter = ("kind",)
    readonly_fields = ("version", "created_by", "created_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "kind") if obj else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        preview = path(
            "preview/",
            self.admin_site.admin_view(self.preview_view),
            name="notifications_lettertemplate_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request):
        """The change form's "Preview on a sample case" (issue 22, item 8): the form's unsaved
        text as the PDF a sample case's letter would be, opened beside the form; nothing is
        saved. A template that cannot be printed answers 400 with the reason."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        kind = request.POST.get("kind") or request.POST.get("preview_kind") or ""
        try:
            preview = letter_template_preview(
                kind=kind, title=request.POST.get("title", ""), body=request.POST.get("body", "")
            )
        except DomainError as exc:
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "Letter preview",
                "message": exc.message,
                "details": [text for texts in exc.errors.values() for text in texts],
            }
            return TemplateResponse(
                request, "admin/notifications/lettertemplate/preview_error.html", context, status=400
            )
        response = HttpResponse(preview.pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="preview-{kind}.pdf"'
        response["Cache-Control"] = "no-store"
        return response

    def save_model(self, request, obj, form, change):
        saved = letter_template_revise(kind=obj.kind, title=obj.title, body=obj.body, note=obj.note, actor=request.user)
        obj.pk, obj.version, obj.created_at = saved.pk, saved.version, saved.created_at
        obj._state.adding = False


@admin.register(Letter)
class LetterAdmin(PhiReadLoggedAdmin, ReadOnlyAdmin):
    list_display = ("case", "kind", "recipient", "status", "due_at", "issued_at", "template")
    list_filter = ("status", "kind", "recipient")
    search_fields = ("case__reference",)
    list_select_related = ("case", "template")
    exclude = ("pdf",)
    actions = ["retry_held"]

    @admin.action(description="Try the held letters again")
    def retry_held(self, request, queryset):
        done = 0
        for letter in queryset.filter(status=Letter.Status.BLOCKED):
            try:
                letter_retry(letter=letter, actor=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, str(exc), messages.WARNING)
        self.message_user(request, f"{done} letter(s) put back in line.")


class PendingFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("pending", "Waiting to be sent"), ("all", "All")]

    def queryset(self, request, queryset):
        if self.value() in (None, "pending"):
            return queryset.filter(status=LetterDelivery.Status.PENDING)
        return queryset

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            selected = self.value() == lookup or (self.value() is None and lookup == "pending")
            yield {
                "selected": selected,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


@admin.register(LetterDelivery)
class LetterDeliveryAdmin(PhiReadLoggedAdmin, ReadOnlyAdmin):
    """The operations queue: mail to print and faxes to send, exported as one PDF and a CSV."""

    phi_path = "letter"
    list_display = ("created_at", "channel", "status", "case_reference", "letter_kind", "recipient_name", "dest")
    list_filter = (PendingFilter, "channel")
    list_select_related = ("letter__case",)
    actions = ["export_pdf", "export_csv", "mark_sent"]
    ordering = ("created_at", "id")

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(channel__in=[LetterDelivery.Channel.MAIL, LetterDelivery.Channel.FAX])
        )

    @admin.display(description="case")
    def case_reference(self, obj):
        return obj.letter.case.reference

    @admin.display(description="letter")
    def letter_kind(self, obj):
        return obj.letter.get_kind_display()

    @admin.display(description="to")
    def recipient_name(self, obj):
        return obj.letter.recipient_name

    @admin.display(description="address or fax")
    def dest(self, obj):
        return obj.destination.replace("\n", ", ")

    def _log(self, request, deliveries):
        for d in deliveries:
            access_log_record(user=request.user, obj=d.letter, how="export", request=request)

    @admin.action(description="Download the selected letters as one PDF")
    def export_pdf(self, request, queryset):
        deliveries = list(queryset.select_related("letter__case__member").order_by("created_at", "id"))
        self._log(request, deliveries)
        response = HttpResponse(delivery_queue_pdf(deliveries=deliveries), content_type="application/pdf")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="letter-queue-{stamp}.pdf"'
        return response

    @admin.action(description="Download the selected items as CSV")
    def export_csv(self, request, queryset):
        deliveries = list(queryset.select_related("letter__case__member").order_by("created_at", "id"))
        self._log(request, deliveries)
        response = HttpResponse(delivery_queue_csv(deliveries=deliveries), content_type="text/csv")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="letter-queue-{stamp}.csv"'
        return response

    @admin.action(description="Mark the selected items as sent")
    def mark_sent(self, request, queryset):
        count = letter_delivery_mark_sent(deliveries=list(queryset), actor=request.user)
        self.message_user(request, f"{count} item(s) marked sent.")


@admin.register(AppealWindow)
class AppealWindowAdmin(admin.ModelAdmin):
    list_display = ("line_of_business", "days", "effective_from", "source")

    def has_change_permission(self, request, obj=None):
        # Never retroactive: a change is a new row with its own effective date.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContinuationRun)
class ContinuationRunAdmin(ReadOnlyAdmin):
    list_display = ("agreement", "end_date", "end_reason", "status", "stays_done", "rights_done", "started_at")
