"""Writes to the phone-line configuration: lines, their hours, alternate numbers, plan
closures. Every write validates (validation.py), locks what it changes and records
who changed what, with the old and new values, in `ContactChangeLog`."""

from datetime import date, time

from django.db import IntegrityError, transaction
from django.db.models.deletion import ProtectedError
from django.utils import timezone

from cases.models import PlanClosure
from um_portal.exceptions import Conflict, ValidationFailed

from .models import (
    ContactChangeLog,
    ContactLine,
    ContactLineHours,
    ContactLineInquiry,
    ContactLinePhone,
    InquiryKind,
    Weekday,
)
from .validation import (
    inquiries_served_validate,
    intervals_validate,
    line_fallback_validate,
    phone_numbers_validate,
)

LINE_FIELDS = ("name", "phone", "fax", "tty", "purpose", "open_on_holidays", "always_open", "display_order")


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def line_snapshot(line: ContactLine) -> dict:
    """The values the change log keeps for a line."""
    data = {field: getattr(line, field) for field in LINE_FIELDS}
    data["fallback"] = line.fallback.name if line.fallback_id else None
    data["inquiries"] = sorted(ContactLineInquiry.objects.filter(line=line).values_list("inquiry", flat=True))
    data["alternate_phones"] = dict(ContactLinePhone.objects.filter(line=line).values_list("line_of_business", "phone"))
    return data


def change_record(*, actor, object_kind: str, object_id, object_label: str, action: str, old, new) -> ContactChangeLog:
    return ContactChangeLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        object_kind=object_kind,
        object_id=str(object_id),
        object_label=object_label[:200],
        action=action,
        old=old,
        new=new,
    )


def _lock_lines() -> None:
    # The fallback-loop and "every inquiry has a line" rules read every line: serialize
    # configuration writes on the whole (small) table, in pk order.
    list(ContactLine.objects.select_for_update().order_by("pk").values_list("pk", flat=True))


def _set_inquiries(*, line: ContactLine, inquiries: list[str]) -> dict[ContactLine, list[str]]:
    """Point the given inquiry kinds at `line` (moving them from other lines). Returns the
    other lines that lost an inquiry, with the inquiries they had, for the log."""
    wanted = set(inquiries)
    unknown = wanted - set(InquiryKind.values)
    if unknown:
        raise ValidationFailed(
            f"Unknown inquiry kind: {', '.join(sorted(unknown))}.", errors={"inquiries": ["Unknown."]}
        )
    current = set(ContactLineInquiry.objects.filter(line=line).values_list("inquiry", flat=True))
    inquiries_served_validate(unserved=current - wanted)
    losing = ContactLine.objects.filter(inquiries__inquiry__in=wanted - current).exclude(pk=line.pk).distinct()
    before = {other: sorted(other.inquiries.values_list("inquiry", flat=True)) for other in losing}
    ContactLineInquiry.objects.filter(inquiry__in=wanted - current).delete()
    ContactLineInquiry.objects.bulk_create([ContactLineInquiry(line=line, inquiry=kind) for kind in wanted - current])
    return before


def contact_line_save(
    *,
    actor,
    line: ContactLine | None = None,
    name: str,
    phone: str = "",
    fax: str = "",
    tty: str = "",
    purpose: str = "",
    open_on_holidays: bool = False,
    always_open: bool = False,
    fallback: ContactLine | None = None,
    display_order: int = 100,
    inquiries: list[str] | None = None,
) -> ContactLine:
    """Create a line (`line=None`) or change one. `inquiries`, when given, is the full list of
    inquiry kinds this line answers; a kind another line answers moves here."""
    name = name.strip()
    if not name:
        raise ValidationFailed("A line needs a name.", errors={"name": ["Required."]})
    if not (phone or fax):
        raise ValidationFailed("A line needs a phone or a fax number.", errors={"phone": ["Phone or fax required."]})
    phone_numbers_validate(phone=phone.strip(), fax=fax.strip(), tty=tty.strip())
    with transaction.atomic():
        _lock_lines()
        creating = line is None
        if creating:
            line = ContactLine()
            old = None
        else:
            line = ContactLine.objects.select_related("fallback").get(pk=line.pk)
            old = line_snapshot(line)
        if fallback is not None and line.pk is not None and fallback.pk == line.pk:
            raise ValidationFailed(
                "A line cannot fall back on itself.", errors={"fallback": ["A line cannot fall back on itself."]}
            )
        line.name = name
        line.phone, line.fax, line.tty, line.purpose = phone.strip(), fax.strip(), tty.strip(), purpose.strip()
        line.open_on_holidays, line.always_open, line.display_order = open_on_holidays, always_open, display_order
        line.fallback = fallback
        line_fallback_validate(line=line, fallback=fallback, **ContactLine.fallback_graph())
        try:
            with transaction.atomic():
                line.save()
        except IntegrityError as exc:
            raise Conflict(f"A line named “{name}” already exists.", errors={"name": ["Already used."]}) from exc
        moved_from = _set_inquiries(line=line, inquiries=inquiries) if inquiries is not None else {}
        for other, had in moved_from.items():
            change_record(
                actor=actor,
                object_kind="line",
                object_id=other.pk,
                object_label=other.name,
                action=ContactChangeLog.Action.CHANGED,
                old={"inquiries": had},
                new={"inquiries": sorted(other.inquiries.values_list("inquiry", flat=True)), "moved_to": line.name},
            )
        new = line_snapshot(line)
        if old != new:
            change_record(
                actor=actor,
                object_kind="line",
                object_id=line.pk,
                object_label=line.name,
                action=ContactChangeLog.Action.CREATED if creating else ContactChangeLog.Action.CHANGED,
                old=old,
                new=new,
            )
    return line


def contact_line_delete(*, actor, line: ContactLine) -> None:
    with transaction.atomic():
        _lock_lines()
        line = ContactLine.objects.select_related("fallback").get(pk=line.pk)
        served = list(ContactLineInquiry.objects.filter(line=line).values_list("inquiry", flat=True))
        inquiries_served_validate(unserved=served)
        old = line_snapshot(line)
        pk = line.pk
        try:
            with transaction.atomic():
                line.delete()
        except ProtectedError as exc:
            users = ", ".join(sorted(other.name for other in exc.protected_objects))
            raise ValidationFailed(
                f"“{line.name}” is the fallback of {users}: choose another fallback there first.",
                errors={"fallback": ["In use as a fallback."]},
            ) from exc
        change_record(
            actor=actor,
            object_kind="line",
            object_id=pk,
            object_label=old["name"],
            action=ContactChangeLog.Action.DELETED,
            old=old,
            new=None,
        )


def line_hours_set(*, actor, line: ContactLine, weekday: int, intervals: list[tuple[time, time]]) -> None:
    """Replace the opening hours of one line on one weekday (or on holidays, weekday 7)."""
    if weekday not in Weekday.values:
        raise ValidationFailed("Unknown day.", errors={"weekday": ["Unknown day."]})
    label = f"{line.name}, {Weekday(weekday).label}"
    intervals_validate(intervals=intervals, label=label)
    with transaction.atomic():
        line = ContactLine.objects.select_for_update().get(pk=line.pk)
        current = ContactLineHours.objects.filter(line=line, weekday=weekday)
        old = [[_hhmm(h.opens), _hhmm(h.closes)] for h in current]
        new = [[_hhmm(o), _hhmm(c)] for o, c in sorted(intervals)]
        if old == new:
            return
        current.delete()
        ContactLineHours.objects.bulk_create(
            [ContactLineHours(line=line, weekday=weekday, opens=o, closes=c) for o, c in sorted(intervals)]
        )
        change_record(
            actor=actor,
            object_kind="hours",
            object_id=f"{line.pk}:{weekday}",
            object_label=label,
            action=ContactChangeLog.Action.CHANGED,
            old=old,
            new=new,
        )


def line_alternate_phone_set(*, actor, line: ContactLine, line_of_business: str, phone: str) -> None:
    """The number of `line` for members of one line of business; an empty phone removes it."""
    phone = phone.strip()
    phone_numbers_validate(**{f"phone_{line_of_business}": phone})
    with transaction.atomic():
        line = ContactLine.objects.select_for_update().get(pk=line.pk)
        existing = ContactLinePhone.objects.filter(line=line, line_of_business=line_of_business).first()
        old = existing.phone if existing else None
        if (old or "") == phone:
            return
        if not phone:
            existing.delete()
        elif existing:
            existing.phone = phone
            existing.save(update_fields=["phone"])
        else:
            ContactLinePhone.objects.create(line=line, line_of_business=line_of_business, phone=phone)
        change_record(
            actor=actor,
            object_kind="line",
            object_id=line.pk,
            object_label=f"{line.name} ({line_of_business})",
            action=ContactChangeLog.Action.CHANGED,
            old={"alternate_phone": {line_of_business: old}},
            new={"alternate_phone": {line_of_business: phone or None}},
        )


def _closure_snapshot(closure: PlanClosure) -> dict:
    return {
        "date": closure.date.isoformat(),
        "name": closure.name,
        "closed_from": _hhmm(closure.closed_from) if closure.closed_from else None,
        "counts_as_holiday": closure.counts_as_holiday,
    }


def closure_create(
    *, actor, date: date, name: str, closed_from: time | None = None, counts_as_holiday: bool = True
) -> PlanClosure:
    """Add a whole-day closure or an early close (`closed_from`). Never in the past: the
    decision clocks already counted those days (RULES.md: changes are never retroactive)."""
    name = name.strip()
    if not name:
        raise ValidationFailed("A closure needs a name.", errors={"name": ["Required."]})
    if date < timezone.localdate():
        raise ValidationFailed(
            "A closure cannot be added for a past day: deadlines already counted it as open.",
            errors={"date": ["In the past."]},
        )
    if closed_from is not None:
        # An early close is part of a working day: it never removes a business day.
        counts_as_holiday = False
    try:
        with transaction.atomic():
            closure = PlanClosure.objects.create(
                date=date, name=name, closed_from=closed_from, counts_as_holiday=counts_as_holiday
            )
            change_record(
                actor=actor,
                object_kind="closure",
                object_id=closure.pk,
                object_label=str(closure),
                action=ContactChangeLog.Action.CREATED,
                old=None,
                new=_closure_snapshot(closure),
            )
    except IntegrityError as exc:
        raise Conflict(f"“{name}” on {date} already exists.", errors={"name": ["Already exists."]}) from exc
    return closure


def closure_delete(*, actor, closure: PlanClosure) -> None:
    if closure.date < timezone.localdate():
        raise ValidationFailed(
            "A past closure stays on record: deadlines were counted with it.", errors={"date": ["In the past."]}
        )
    with transaction.atomic():
        closure = PlanClosure.objects.select_for_update().get(pk=closure.pk)
        old = _closure_snapshot(closure)
        pk = closure.pk
        closure.delete()
        change_record(
            actor=actor,
            object_kind="closure",
            object_id=pk,
            object_label=f"{old['date']}: {old['name']}",
            action=ContactChangeLog.Action.DELETED,
            old=old,
            new=None,
        )
