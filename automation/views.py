"""Auto-approval pages for UM administrators: the rules, writing a version, simulating it
(with a progress bar) and switching it on. Thin: the services decide."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from um_portal.exceptions import DomainError, NotAllowed
from um_portal.roles import Perm, user_can

from .models import AutoApprovalRuleVersion, GoldCardStatus
from .selectors import rule_versions_list
from .services import rules as rule_services
from .services.rules import simulation_latest_valid
from .services.simulate import simulation_start

EXAMPLE = '{"codes": ["97110-97140"], "lines_of_business": ["commercial"], "max_units": 12}'


class RuleForm(forms.Form):
    rule_name = forms.CharField(max_length=120, label="Rule name")
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": EXAMPLE, "spellcheck": "false"}),
        help_text="JSON: codes, diagnoses, lines_of_business, states, places_of_service, max_units, max_days, "
        "network_status, gold_card, documents, checklist. The rule approves in full when all hold.",
    )
    effective_from = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    effective_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_conditions(self):
        try:
            return json.loads(self.cleaned_data["conditions"])
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}.") from None


class SimulateForm(forms.Form):
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


def _admin(request) -> None:
    if not user_can(request.user, Perm.CONFIGURE):
        raise NotAllowed("Only UM administrators manage auto-approval rules.")


def _errors_to_form(form, error: DomainError) -> None:
    placed = False
    for field, msgs in error.errors.items():
        for message in msgs:
            form.add_error(field if field in form.fields else None, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


@login_required
def rule_list(request):
    _admin(request)
    form = RuleForm(request.POST or None, initial={"effective_from": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            version = rule_services.rule_version_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, f"{version} saved as a draft. Simulate it before switching it on.")
            return redirect("automation:rule", version_id=version.pk)
    # 1 query: every version with its rule and the people who wrote and switched it on.
    versions = list(rule_versions_list()[:500])
    return render(
        request, "automation/rules.html", {"versions": versions, "form": form}, status=400 if form.errors else 200
    )


@login_required
def rule_detail(request, version_id: int):
    _admin(request)
    version = get_object_or_404(AutoApprovalRuleVersion.objects.select_related("rule"), pk=version_id)
    today = timezone.localdate()
    simulate_form = SimulateForm(
        request.POST if request.POST.get("do") == "simulate" else None,
        initial={"period_start": today.replace(day=1) if today.day > 1 else today, "period_end": today},
    )
    if request.method == "POST":
        try:
            if request.POST.get("do") == "simulate" and simulate_form.is_valid():
                simulation_start(actor=request.user, version_id=version.pk, **simulate_form.cleaned_data)
                messages.success(request, "Simulation started.")
                return redirect("automation:rule", version_id=version.pk)
            if request.POST.get("do") == "switch_on":
                version = rule_services.rule_version_switch_on(actor=request.user, version_id=version.pk)
                messages.success(request, f"{version} is {version.get_status_display().lower()}.")
                return redirect("automation:rule", version_id=version.pk)
            if request.POST.get("do") == "retire":
                rule_services.rule_version_retire(actor=request.user, version_id=version.pk)
                return redirect("automation:rule", version_id=version.pk)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(reverse("automation:rule", kwargs={"version_id": version.pk}))
    simulations = list(version.simulations.select_related("requested_by")[:10])
    return render(
        request,
        "automation/rule.html",
        {
            "version": version,
            "conditions": json.dumps(version.conditions, indent=2),
            "simulations": simulations,
            "running": next((s for s in simulations if s.status in ("queued", "running")), None),
            "valid_simulation": simulation_latest_valid(version),
            "simulate_form": simulate_form,
            "events": list(version.events.select_related("actor")),
        },
    )


@login_required
def gold_cards(request):
    """The administrators' list of gold cards."""
    _admin(request)
    # 1 query: every status with its organization.
    cards = list(GoldCardStatus.objects.select_related("organization").order_by("organization__name", "code_group"))
    return render(request, "automation/gold_cards.html", {"cards": cards})
