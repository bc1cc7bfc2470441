"""Coverage requirement pages: the provider lookup and the public list (no login, as
CMS-0057-F asks payers to publish which services need prior authorization)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .codes import LINES_OF_BUSINESS, procedure_code_system
from .selectors_requirements import LOB_LABELS, coverage_requirement_answer, public_requirement_rows


class LookupForm(forms.Form):
    code = forms.CharField(max_length=5, label="CPT / HCPCS code")
    line_of_business = forms.ChoiceField(
        required=False, choices=[("", "Any")] + [(v, LOB_LABELS[v]) for v in LINES_OF_BUSINESS]
    )
    state = forms.RegexField(r"^[A-Za-z]{2}$", required=False, max_length=2, label="Member's plan state")
    place_of_service = forms.RegexField(r"^[0-9]{2}$", required=False, max_length=2, label="Place of service")
    network_status = forms.ChoiceField(
        required=False,
        choices=[("", "Either"), ("in_network", "In network"), ("out_of_network", "Out of network")],
    )
    on = forms.DateField(required=False, label="Date of service", widget=forms.DateInput(attrs={"type": "date"}))

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        if procedure_code_system(code) is None:
            raise forms.ValidationError(f"{code} is not a CPT or HCPCS code (e.g. 27447, E0601).")
        return code


@login_required
def lookup(request):
    """Type a code: required, not required, or required only when ...; the documentation
    to send and the criteria to cite."""
    form = LookupForm(request.GET or None)
    answer = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        answer = coverage_requirement_answer(
            code=data["code"],
            on=data["on"] or timezone.localdate(),
            line_of_business=data["line_of_business"],
            state=(data["state"] or "").upper(),
            place_of_service=data["place_of_service"],
            network_status=data["network_status"],
        )
    return render(request, "criteria/lookup.html", {"form": form, "answer": answer})


def public_list(request):
    """Every service that needs prior authorization today (public, no login)."""
    today = timezone.localdate()
    return render(request, "criteria/public_list.html", {"rows": public_requirement_rows(on=today), "today": today})
