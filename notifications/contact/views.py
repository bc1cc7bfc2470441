"""Pages for phone lines: the public contact page, and the UM administrators' weekly grid,
line editor, closures, "who answers?" preview and change log. Thin: forms parse, services
write, the routing table reads."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cases.deadlines.calendar import federal_holidays
from cases.models import PlanClosure
from um_portal.exceptions import DomainError, NotAllowed
from um_portal.roles import Perm, user_can

from .forms import WEEK_COLUMNS, ClosureForm, DayHoursForm, LineForm, PreviewForm, next_saturday_10
from .models import ContactChangeLog, ContactLine, Weekday
from .routing import RoutingTable, route_inquiry, routes_all
from .services import (
    closure_create,
    closure_delete,
    contact_line_delete,
    contact_line_save,
    line_alternate_phone_set,
    line_hours_set,
)

FEDERAL_LOOKAHEAD_DAYS = 180


def configure_required(view):
    """UM administrators only (Perm.CONFIGURE): others get 403, anonymous the login page."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not user_can(request.user, Perm.CONFIGURE):
            raise NotAllowed("Only UM administrators configure phone lines.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _form_error(form, exc: DomainError) -> None:
    for field, msgs in exc.errors.items():
        target = field if field in form.fields else None
        for msg in msgs:
            form.add_error(target, msg)
    if not exc.errors:
        form.add_error(None, exc.message)
    elif exc.message not in sum(exc.errors.values(), []):
        form.add_error(None, exc.message)


def contact(request):
    """Public (no login): every line, and for each inquiry the number to call now."""
    now = timezone.now()
    table, routes = routes_all(at=now)
    lines = [(line, table.hours_text(line)) for line in table.lines]
    return render(request, "notifications/contact.html", {"routes": routes, "lines": lines, "now": now})


@configure_required
def lines_grid(request):
    """The weekly grid: each line's hours per weekday and on holidays, a cell per edit form."""
    table = RoutingTable()
    rows = []
    for line in table.lines:
        weekly = table.weekly(line)
        rows.append({"line": line, "cells": [(day, weekly.get(day, [])) for day, _label in WEEK_COLUMNS]})
    closures = PlanClosure.objects.filter(date__gte=timezone.localdate()).order_by("date")[:5]
    return render(
        request,
        "notifications/lines_grid.html",
        {"rows": rows, "columns": WEEK_COLUMNS, "closures": closures, "table": table},
    )


@configure_required
def line_hours_edit(request, line_id: int, weekday: int):
    line = get_object_or_404(ContactLine, pk=line_id)
    if weekday not in Weekday.values:
        return redirect("notifications:lines_grid")
    current = list(line.hours.filter(weekday=weekday).order_by("opens").values_list("opens", "closes"))
    form = DayHoursForm(
        request.POST if request.method == "POST" else None,
        initial=DayHoursForm.initial_for(current),
        weekday=weekday,
    )
    if request.method == "POST" and form.is_valid():
        days = [weekday, *form.cleaned_data["also_days"]]
        try:
            with transaction.atomic():  # every day saved, or none
                for day in days:
                    line_hours_set(actor=request.user, line=line, weekday=day, intervals=form.cleaned_data["intervals"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            labels = ", ".join(Weekday(day).label for day in sorted(days))
            messages.success(request, f"Hours saved: {line.name}, {labels}.")
            return redirect("notifications:lines_grid")
    return render(
        request,
        "notifications/line_hours_edit.html",
        {"line": line, "day_label": Weekday(weekday).label, "form": form},
    )


@configure_required
def line_edit(request, line_id: int | None = None):
    line = None
    if line_id is not None:
        line = get_object_or_404(ContactLine.objects.prefetch_related("inquiries", "alternate_phones"), pk=line_id)
    initial = LineForm.initial_for(line) if line else {}
    form = LineForm(request.POST if request.method == "POST" else None, line=line, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                saved = contact_line_save(actor=request.user, line=line, **form.line_data())
                for lob, phone in form.alternate_phones().items():
                    line_alternate_phone_set(actor=request.user, line=saved, line_of_business=lob, phone=phone)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Line saved: {saved.name}.")
            return redirect("notifications:lines_grid")
    return render(request, "notifications/line_edit.html", {"line": line, "form": form})


@configure_required
@require_POST
def line_delete(request, line_id: int):
    line = get_object_or_404(ContactLine, pk=line_id)
    try:
        contact_line_delete(actor=request.user, line=line)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("notifications:line_edit", line_id=line.pk)
    messages.success(request, f"Line deleted: {line.name}.")
    return redirect("notifications:lines_grid")


@configure_required
def closures(request):
    """Upcoming plan closures (whole days and early closes); add or remove them."""
    form = ClosureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            closure = closure_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Closure added: {closure}.")
            return redirect("notifications:closures")
    today = timezone.localdate()
    upcoming = PlanClosure.objects.filter(date__gte=today).order_by("date", "closed_from")
    federal = sorted(
        (day, name)
        for year in (today.year, today.year + 1)
        for day, name in federal_holidays(year).items()
        if today <= day <= today + timedelta(days=FEDERAL_LOOKAHEAD_DAYS)
    )
    return render(request, "notifications/closures.html", {"form": form, "closures": upcoming, "federal": federal})


@configure_required
@require_POST
def closure_remove(request, closure_id: int):
    closure = get_object_or_404(PlanClosure, pk=closure_id)
    try:
        closure_delete(actor=request.user, closure=closure)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Closure removed: {closure.name} on {closure.date}.")
    return redirect("notifications:closures")


@configure_required
def preview(request):
    """ "Who answers?": the routing answer for an inquiry at a chosen moment."""
    if request.GET:
        form = PreviewForm(request.GET)
    else:
        at = next_saturday_10()
        form = PreviewForm(initial={"inquiry": "urgent_authorization", "date": at.date(), "time": at.time()})
    route = None
    if form.is_bound and form.is_valid():
        try:
            route = route_inquiry(
                inquiry=form.cleaned_data["inquiry"],
                at=form.at(),
                line_of_business=form.cleaned_data["line_of_business"] or None,
            )
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "notifications/preview.html", {"form": form, "route": route})


@configure_required
def changes(request):
    """The change log, newest first, 50 a page."""
    entries = ContactChangeLog.objects.select_related("actor").order_by("-at", "-id")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/changes.html", {"page": page})
