"""Page forms for reviewer actions. They only shape input; the services hold the rules."""

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from cases.models import LineOfBusiness, ServiceCategory, Urgency
from reviews.models import Appeal, Decision, PeerToPeerAttempt, PeerToPeerRequest, ReasonCode
from um_portal.validators import PHONE_MAX_LENGTH

from .selectors import NURSE_STATUSES, PHYSICIAN_STATUSES
from .selectors_reasons import reason_codes_fit

BLANK = [("", "Any")]


def queue_filter_selects(*, kind: str, reviewers, filters) -> list[dict]:
    """The work queue's filters as the page shows them: for each, {"id", "label", "select"},
    its <select> with the applied value selected (`filters`: reviews.selectors.QueueFilters,
    which reads the query string). Written out here: the page only shows them, and a Django
    form built, bound and rendered per page cost 0.4 ms of it (issue #13: deep copies of six
    fields and their choices, then a bound field and widget context per option). The
    markup is Django's Select's (django/forms/widgets/select.html), escaped as it escapes."""
    statuses = NURSE_STATUSES if kind == "nurse" else PHYSICIAN_STATUSES
    fields = (
        ("urgency", "Urgency", BLANK + Urgency.choices),
        ("service_category", "Service category", BLANK + ServiceCategory.choices),
        ("status", "Status", BLANK + [(s.value, s.label) for s in statuses]),
        (
            "assignee",
            "Assigned to",
            BLANK + [("me", "Me"), ("none", "Nobody")] + [(u.username, reviewer_label(u)) for u in reviewers],
        ),
        ("line_of_business", "Line of business", BLANK + LineOfBusiness.choices),
        ("due", "Due", BLANK + [("soon", "Within a day or overdue")]),
    )
    return [
        {"id": f"id_{name}", "label": label, "select": _select(name, choices, getattr(filters, name))}
        for name, label, choices in fields
    ]


def _select(name: str, choices, value: str) -> str:
    options = "".join(
        f'\n  <option value="{escape(option)}"{" selected" if str(option) == value else ""}>'
        f"{conditional_escape(label)}</option>"
        for option, label in choices
    )
    return mark_safe(f'<select name="{name}" id="id_{name}">{options}\n</select>')  # noqa: S308 - every value escaped


def reviewer_label(user) -> str:
    """A reviewer in the route and reassign lists, with their open load; a physician says
    whether they hold a license in the member's state (when the list was read for a case)."""
    notes = []
    state = getattr(user, "member_state", "")
    if state and getattr(user, "is_physician", False):
        notes.append(f"licensed in {state}" if user.licensed_here else f"no {state} license")
    load = getattr(user, "open_load", None)
    if load is not None:
        notes.append(f"{load} open")
    return f"{user.display_name} ({', '.join(notes)})" if notes else user.display_name


class ActionForm(forms.Form):
    """A case action's page form (see `reviews.actions`). Every one takes the review page's
    data and fills the choices it needs from them in `setup`."""

    def __init__(self, *args, criteria=(), reviewers=(), lines=(), bases=None, reason_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.setup(criteria=criteria, reviewers=reviewers, lines=lines, bases=bases, reason_codes=reason_codes)

    def setup(self, *, criteria, reviewers, lines, bases, reason_codes) -> None:
        """Fill the choices that depend on the case and the user."""

    def _reason_code_field(self, reason_codes, *, kind: str, bases=None, required: bool = True):
        """The coded reason (reviews.models_reasons), from the catalogue version in use."""
        fit = reason_codes_fit(reason_codes, kind=kind, bases=bases)
        self.fields["reason_code"] = forms.ChoiceField(
            choices=([] if required else [("", "None")]) + [(c.code, f"{c.code}: {c.label}") for c in fit],
            required=required,
            label="Reason code",
        )

    def action_input(self) -> dict:
        """The input in the API's shape, for the action's service call."""
        return dict(self.cleaned_data)


class VersionForm(ActionForm):
    # The case version the reviewer saw: a change meanwhile answers 409 with the new state.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class NoteForm(ActionForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Note (internal)")


class ClaimForm(VersionForm):
    pass


class ReassignForm(VersionForm):
    username = forms.ChoiceField(label="Reassign to")

    def setup(self, *, reviewers, **page):
        self.fields["username"].choices = [(u.username, reviewer_label(u)) for u in reviewers]


class PendForm(VersionForm):
    requested_information = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What is missing")
    respond_by = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Respond by")

    def setup(self, *, reason_codes, **page):
        self._reason_code_field(reason_codes, kind=ReasonCode.Kind.PEND)


class CriteriaChoiceMixin:
    def _criteria_field(self, criteria):
        self.fields["criteria_ids"] = forms.TypedMultipleChoiceField(
            choices=[(v.pk, f"{v.criteria_set.name} v{v.version} ({v.criteria_set.source})") for v in criteria],
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Criteria used",
        )
        # The signature comes last, right above the button.
        if "password" in self.fields:
            self.order_fields([name for name in self.fields if name != "password"] + ["password"])


class ApproveForm(CriteriaChoiceMixin, VersionForm):
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Rationale")

    def setup(self, *, criteria, **page):
        self._criteria_field(criteria)


class RouteForm(VersionForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Note for the physician")
    physician = forms.ChoiceField(required=False, label="Physician (empty: the physician queue)")

    def setup(self, *, reviewers, **page):
        self.fields["physician"].choices = [("", "Physician queue")] + [
            (u.username, reviewer_label(u)) for u in reviewers if u.is_physician
        ]


class DenyForm(CriteriaChoiceMixin, VersionForm):
    basis = forms.ChoiceField(choices=Decision.Basis.choices, label="Grounds")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason, in plain language, for this member",
    )
    password = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        label="Your password or authenticator code, to sign (medical necessity)",
    )

    def setup(self, *, criteria, bases, reason_codes, **page):
        self._reason_code_field(reason_codes, kind=ReasonCode.Kind.DENIAL, bases=bases)
        self._criteria_field(criteria)
        if bases is not None:
            self.fields["basis"].choices = [c for c in Decision.Basis.choices if c[0] in bases]


class LinesMixin:
    def _line_fields(self, lines, *, required: bool = True):
        self.line_fields = []
        for line in lines:
            name = f"line_{line.pk}"
            self.fields[name] = forms.IntegerField(
                min_value=0, max_value=line.units, initial=line.units, label=f"Line {line.line_number}: {line.code}"
            )
            self.fields[name].required = required
            self.line_fields.append((line, name))

    def lines_value(self) -> list[dict]:
        return [{"id": str(line.pk), "approved_units": self.cleaned_data[name]} for line, name in self.line_fields]

    def action_input(self) -> dict:
        """Units per line as the API takes them: [{"id", "approved_units"}], lines left empty left out."""
        names = {name for _line, name in self.line_fields}
        data = {key: value for key, value in self.cleaned_data.items() if key not in names}
        data["lines"] = [line for line in self.lines_value() if line["approved_units"] is not None]
        return data


class PartialForm(LinesMixin, CriteriaChoiceMixin, VersionForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason, in plain language")
    password = forms.CharField(widget=forms.PasswordInput, label="Your password or authenticator code, to sign")

    def setup(self, *, criteria, lines, reason_codes, **page):
        self._reason_code_field(reason_codes, kind=ReasonCode.Kind.PARTIAL_APPROVAL)
        self._criteria_field(criteria)
        self._line_fields(lines)


class ReviseForm(LinesMixin, CriteriaChoiceMixin, VersionForm):
    outcome = forms.ChoiceField(
        choices=[("approved", "Approve in full"), ("partially_approved", "Approve more units (partial)")],
        label="New decision",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason, in plain language")
    password = forms.CharField(widget=forms.PasswordInput, label="Your password, to sign")

    def setup(self, *, criteria, lines, reason_codes, **page):
        # Needed for a partial approval only (the service says so).
        self._reason_code_field(reason_codes, kind=ReasonCode.Kind.PARTIAL_APPROVAL, required=False)
        self._criteria_field(criteria)
        self._line_fields(lines, required=False)


class OfferTalkForm(ActionForm):
    phone = forms.CharField(max_length=PHONE_MAX_LENGTH, required=False, label="Provider phone (default: the office's)")


class ExtendForm(ActionForm):
    # Free text on purpose: the service names a missing or unknown ground (the page's select
    # offers the grounds; see reviews/_extend.html).
    ground = forms.CharField(required=False)
    reason = forms.CharField(required=False)


class AppealDecideForm(LinesMixin, CriteriaChoiceMixin, VersionForm):
    outcome = forms.ChoiceField(choices=Appeal.Outcome.choices)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason, in plain language")
    password = forms.CharField(widget=forms.PasswordInput, label="Your password or authenticator code, to sign")

    def setup(self, *, criteria, lines, reason_codes, **page):
        # Needed unless the appeal is overturned (the service says so).
        self._reason_code_field(reason_codes, kind=ReasonCode.Kind.APPEAL, required=False)
        self._criteria_field(criteria)
        self._line_fields(lines, required=False)
        for _line, name in self.line_fields:
            self.fields[name].help_text = "Used for a partial overturn."


class ScheduleForm(forms.Form):
    scheduled_for = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="When")


class AttemptForm(forms.Form):
    result = forms.ChoiceField(choices=PeerToPeerAttempt.Result.choices)
    note = forms.CharField(required=False, max_length=500)


class CompleteForm(forms.Form):
    outcome = forms.ChoiceField(choices=PeerToPeerRequest.Outcome.choices)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
