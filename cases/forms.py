"""Page forms: input types and sizes only; the rules live in the services."""

import uuid

from django import forms
from django.core.exceptions import ValidationError

from criteria.selectors import checklist_answers
from um_portal.validators import PHONE_MAX_LENGTH

from .models import ChangeKind, Channel, ReviewType, ServiceCategory, ServiceLine, Specialty, Urgency
from .validators import PORTAL_CODE_SYSTEMS

DATE = forms.DateInput(attrs={"type": "date"})


class EligibilityForm(forms.Form):
    member_number = forms.CharField(max_length=20, label="Member number")
    date_of_birth = forms.DateField(widget=DATE, label="Date of birth")
    on = forms.DateField(widget=DATE, required=False, label="Date of service", help_text="Today if left empty.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several documents in one input (Django docs, "Uploading multiple files")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.tif,.tiff"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ChecklistField(forms.Field):
    """The criteria checklist boxes a provider ticks as met, each "<version id>:<item index>"
    (the page draws the boxes for the codes entered; see submit.js)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        return [v for v in (value or []) if v]

    def validate(self, value):
        if len(value) > 200:
            raise ValidationError("Too many checklist items.")


class SubmitForm(forms.Form):
    idempotency_token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    member_number = forms.CharField(max_length=20, label="Member number")
    member_date_of_birth = forms.DateField(widget=DATE, label="Member date of birth")
    requesting_provider_npi = forms.CharField(
        max_length=10,
        widget=forms.TextInput(attrs={"list": "own-npis", "inputmode": "numeric"}),
        label="Requesting provider NPI",
        help_text="The ordering practitioner or your organization.",
    )
    servicing_provider_npi = forms.CharField(
        max_length=10,
        widget=forms.TextInput(attrs={"list": "own-npis", "inputmode": "numeric"}),
        label="Servicing provider NPI",
        help_text="Who will deliver the service.",
    )
    # The specialty referred to (issue 20, item 2): the page lists the in-network options
    # for it nearest the member (cases/static/cases/submit.js, GET /api/v1/referral-options/).
    referral_specialty = forms.ChoiceField(
        required=False,
        choices=lambda: [("", "Choose the specialty")] + list(Specialty.objects.values_list("code", "display_name")),
        label="Specialty referred to",
        help_text="For a referral: the in-network options nearest the member are listed below.",
    )
    # Starts blank: a preselected category was submitted unread (issue 22, item 3).
    service_category = forms.ChoiceField(
        choices=[("", "Choose the service category")] + ServiceCategory.choices, label="Service category"
    )
    review_type = forms.ChoiceField(choices=ReviewType.choices, initial=ReviewType.PROSPECTIVE, label="Review type")
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.STANDARD, widget=forms.RadioSelect)
    expedited_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why expedited?",
        help_text="Required for expedited: waiting could seriously jeopardize the member's life, health or function.",
    )
    diagnosis_codes = forms.CharField(
        max_length=200, label="Diagnosis codes (ICD-10-CM)", help_text="Separate with commas, e.g. M17.11, M25.561"
    )
    place_of_service = forms.CharField(max_length=2, required=False, label="Place of service (CMS code)")
    clinical_summary = forms.CharField(
        max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 6}), label="Clinical summary"
    )
    documents = MultipleFileField(required=False, label="Clinical documents (PDF, PNG, JPEG, TIFF; 20 MB each)")
    checklist = ChecklistField(required=False, label="Criteria met")
    confirm_duplicate = forms.BooleanField(
        required=False, label="I confirm this is a separate request, not a duplicate of the one named above"
    )
    confirm_not_required = forms.BooleanField(
        required=False, label="Submit anyway: I want a decision although no prior authorization is required"
    )
    # Staff entering a paper request only.
    channel = forms.ChoiceField(
        required=False,
        choices=[("", "Portal"), (Channel.FAX, "Fax"), (Channel.PHONE, "Phone"), (Channel.MAIL, "Mail")],
        label="Received by",
    )
    received_at = forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        label="Received at",
        help_text="When the fax, call or letter arrived (the clocks run from it).",
    )

    # Keyed from a fax in the inbox (issue 18): the case keeps it as its first document.
    fax_receipt = forms.UUIDField(required=False, widget=forms.HiddenInput)
    # Which request of the fax this is (a fax may hold several): its OCR pre-fill.
    fax_request = forms.IntegerField(required=False, min_value=0, max_value=50, widget=forms.HiddenInput)

    def __init__(self, *args, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["channel"]
            del self.fields["received_at"]
            del self.fields["fax_receipt"]
            del self.fields["fax_request"]
        if not self.is_bound:
            self.initial.setdefault("idempotency_token", uuid.uuid4().hex)

    def clean_checklist(self) -> dict[str, list[str]]:
        try:
            return checklist_answers(self.cleaned_data["checklist"])
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def diagnosis_list(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["diagnosis_codes"].replace(";", ",").split(",") if c.strip()]


class LineForm(forms.Form):
    code_system = forms.ChoiceField(
        choices=[c for c in ServiceLine.CodeSystem.choices if c[0] in PORTAL_CODE_SYSTEMS],
        initial="CPT",
        label="Code system",
    )
    code = forms.CharField(max_length=5, label="Code")
    description = forms.CharField(max_length=200, required=False, label="Service")
    units = forms.IntegerField(min_value=1, max_value=9999, initial=1, label="Units")
    start_date = forms.DateField(widget=DATE, label="From")
    end_date = forms.DateField(widget=DATE, label="To")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The lines table shows its labels as column headings only: each input says its
        # line and column to a screen reader (axe "label", issue 22).
        number = self.prefix.rsplit("-", 1)[-1] if self.prefix else ""
        if number.isdigit():
            for field in self.fields.values():
                field.widget.attrs["aria-label"] = f"Line {int(number) + 1}: {field.label}"


LineFormSet = forms.formset_factory(LineForm, extra=3, max_num=10, absolute_max=10)


class DocumentForm(forms.Form):
    file = forms.FileField(label="Document (PDF, PNG, JPEG, TIFF; 20 MB)")
    description = forms.CharField(max_length=200, required=False)


class RespondForm(forms.Form):
    text = forms.CharField(max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    documents = MultipleFileField(required=False, label="Documents")


class WithdrawForm(forms.Form):
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class AuthorizationChangeForm(forms.Form):
    """Ask to change the authorization of this request (issue 19, item 3); the service
    checks the lines, dates and provider against the authorization."""

    kind = forms.ChoiceField(choices=ChangeKind.choices, label="What should change")
    line = forms.IntegerField(
        min_value=1, required=False, label="Line", help_text="Required to add units or cancel; blank: every line."
    )
    units = forms.IntegerField(min_value=1, max_value=9999, required=False, label="Units or visits to add")
    end_date = forms.DateField(required=False, label="New end date", widget=forms.DateInput(attrs={"type": "date"}))
    servicing_provider_npi = forms.CharField(max_length=10, required=False, label="New servicing provider NPI")
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), label="Why")

    def action_input(self) -> dict:
        data = self.cleaned_data
        line = {"line": data["line"], "units": data["units"]} if data.get("line") else None
        return {
            "kind": data["kind"],
            "lines": [{k: v for k, v in line.items() if v is not None}] if line else [],
            "end_date": data.get("end_date"),
            "servicing_provider_npi": data.get("servicing_provider_npi") or "",
            "reason": data["reason"],
        }


class PeerToPeerForm(forms.Form):
    phone = forms.CharField(max_length=PHONE_MAX_LENGTH, label="Phone the physician should call")
    preferred_times = forms.CharField(
        max_length=500, required=False, label="Preferred times", help_text="e.g. Tue 2-4 pm; Wed morning"
    )

    def action_input(self) -> dict:
        times = [t.strip() for t in self.cleaned_data["preferred_times"].split(";") if t.strip()]
        return {"phone": self.cleaned_data["phone"], "preferred_times": times}


class AppealForm(forms.Form):
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    expedited = forms.BooleanField(required=False, label="Expedited (waiting could seriously harm the member)")
    # Records that support the appeal go with it (issue 22, item 8); the API attaches them
    # to the request first, as documents.
    documents = MultipleFileField(required=False, label="Supporting documents (PDF, PNG, JPEG, TIFF; 20 MB each)")
