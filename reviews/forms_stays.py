"""Forms of the concurrent review pages (issue 19, item 2). Shape only: the rules (days
1 to 14, review date not before admission or today, discharge after admission) are the
services', which answer with the message shown."""

from django import forms

from cases.models import InpatientStay


class _StayForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, stay_id=None, **kwargs):
        # Ids unique on the page, whatever forms it shows.
        kwargs.setdefault("auto_id", f"id_%s_{self.prefix_name}_{stay_id}")
        super().__init__(*args, **kwargs)


class ApproveDaysForm(_StayForm):
    prefix_name = "approve"
    days = forms.CharField(label="More days", max_length=6, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    next_review_on = forms.CharField(
        label="Next review date",
        required=False,
        max_length=10,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: the last authorized day (a weekend or holiday moves to the business day before).",
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000)


class RouteForm(_StayForm):
    prefix_name = "route"
    days = forms.CharField(label="Days requested", max_length=6, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label="Why a physician", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class DischargeForm(_StayForm):
    prefix_name = "discharge"
    discharged_at = forms.DateTimeField(
        label="Discharged at (ET)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    disposition = forms.ChoiceField(label="Discharged to", choices=InpatientStay.Disposition.choices)


class NoteForm(_StayForm):
    prefix_name = "note"
    note = forms.CharField(label="Discharge planning note", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


STAY_FORMS = {"approve": ApproveDaysForm, "route": RouteForm, "discharge": DischargeForm, "note": NoteForm}
