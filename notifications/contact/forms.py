"""Forms of the phone-line administration pages. They only parse input; the rules live in
notifications.contact.services (which the views call)."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from cases.deadlines.calendar import plan_tz
from cases.models import LineOfBusiness
from um_portal.validators import PHONE_MAX_LENGTH

from .models import ContactLine, InquiryKind, Weekday

INTERVAL_SLOTS = 3
TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class LineForm(forms.Form):
    name = forms.CharField(max_length=80)
    phone = forms.CharField(max_length=PHONE_MAX_LENGTH, required=False)
    fax = forms.CharField(max_length=PHONE_MAX_LENGTH, required=False)
    tty = forms.CharField(max_length=PHONE_MAX_LENGTH, required=False, label="TTY")
    purpose = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    inquiries = forms.MultipleChoiceField(
        choices=InquiryKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Inquiries this line answers. Ticking one another line answers moves it here.",
    )
    open_on_holidays = forms.BooleanField(required=False)
    always_open = forms.BooleanField(required=False)
    fallback = forms.ModelChoiceField(
        queryset=ContactLine.objects.none(), required=False, help_text="Takes the calls while this line is closed."
    )
    display_order = forms.IntegerField(min_value=0, max_value=32767, initial=100)

    def __init__(self, *args, line: ContactLine | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        others = ContactLine.objects.order_by("display_order", "name")
        self.fields["fallback"].queryset = others.exclude(pk=line.pk) if line else others
        for lob, label in LineOfBusiness.choices:
            self.fields[f"phone_{lob}"] = forms.CharField(
                max_length=PHONE_MAX_LENGTH, required=False, label=f"Phone for {label} members"
            )

    def line_data(self) -> dict:
        data = self.cleaned_data
        return {
            key: data[key]
            for key in ("name", "phone", "fax", "tty", "purpose", "open_on_holidays", "always_open", "fallback")
        } | {"display_order": data["display_order"] or 0, "inquiries": data["inquiries"]}

    def alternate_phones(self) -> dict[str, str]:
        return {lob: self.cleaned_data.get(f"phone_{lob}", "") for lob in LineOfBusiness.values}

    @staticmethod
    def initial_for(line: ContactLine) -> dict:
        initial = {
            "name": line.name,
            "phone": line.phone,
            "fax": line.fax,
            "tty": line.tty,
            "purpose": line.purpose,
            "inquiries": [item.inquiry for item in line.inquiries.all()],
            "open_on_holidays": line.open_on_holidays,
            "always_open": line.always_open,
            "fallback": line.fallback_id,
            "display_order": line.display_order,
        }
        for alternate in line.alternate_phones.all():
            initial[f"phone_{alternate.line_of_business}"] = alternate.phone
        return initial


class DayHoursForm(forms.Form):
    """Up to three opening intervals for one line on one day; all empty means closed."""

    def __init__(self, *args, weekday: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for slot in range(1, INTERVAL_SLOTS + 1):
            self.fields[f"opens_{slot}"] = forms.TimeField(required=False, widget=TIME_WIDGET, label="Opens")
            self.fields[f"closes_{slot}"] = forms.TimeField(required=False, widget=TIME_WIDGET, label="Closes")
        # The same hours for several days in one save (issue 22, item 8).
        self.fields["also_days"] = forms.TypedMultipleChoiceField(
            choices=[(day.value, day.label) for day in Weekday if day.value != weekday],
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Also set these hours for",
        )

    @staticmethod
    def initial_for(intervals: list[tuple[time, time]]) -> dict:
        initial = {}
        for slot, (opens, closes) in enumerate(intervals[:INTERVAL_SLOTS], start=1):
            initial[f"opens_{slot}"], initial[f"closes_{slot}"] = opens, closes
        return initial

    def slots(self):
        return [(self[f"opens_{slot}"], self[f"closes_{slot}"]) for slot in range(1, INTERVAL_SLOTS + 1)]

    def clean(self):
        data = super().clean()
        intervals = []
        for slot in range(1, INTERVAL_SLOTS + 1):
            opens, closes = data.get(f"opens_{slot}"), data.get(f"closes_{slot}")
            if (opens is None) != (closes is None):
                raise forms.ValidationError(f"Interval {slot}: give both the opening and the closing time.")
            if opens is not None:
                intervals.append((opens, closes))
        data["intervals"] = intervals
        return data


class ClosureForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(max_length=120)
    closed_from = forms.TimeField(
        required=False,
        widget=TIME_WIDGET,
        label="Closes early at",
        help_text="Leave empty for a whole-day closure.",
    )
    counts_as_holiday = forms.BooleanField(
        required=False,
        initial=True,
        label="Whole-day closure stops the decision clocks (not a business day)",
    )


def next_saturday_10() -> datetime:
    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    return datetime.combine(saturday, time(10), tzinfo=plan_tz())


class PreviewForm(forms.Form):
    """ "Who answers?": an inquiry and a moment in the plan's time zone."""

    inquiry = forms.ChoiceField(choices=InquiryKind.choices)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=TIME_WIDGET)
    line_of_business = forms.ChoiceField(choices=[("", "Any")] + list(LineOfBusiness.choices), required=False)

    def at(self) -> datetime:
        return datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"], tzinfo=plan_tz())


WEEK_COLUMNS = [(day.value, day.label) for day in Weekday]
