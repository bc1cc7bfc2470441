"""The concurrent review pages (issue 19, item 2): the nurses' queue of stays due for
review and one stay's page with its actions. Thin: reads from reviews.selectors_stays,
writes through reviews.services.stays; every PHI read is logged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cases.access import stay_for_user
from um_portal.audit import access_log_record, access_log_record_many
from um_portal.exceptions import DomainError, NotFound
from um_portal.models import AccessLog
from um_portal.roles import Perm

from ..forms_stays import STAY_FORMS
from ..selectors_stays import concurrent_queue_page, stay_detail
from ..services import stays as stay_services
from .common import require

QUEUE_REFUSED = "Only UM nurses and physicians work the concurrent review queue."


@login_required
def concurrent_queue(request):
    require(request.user, Perm.QUEUE_WORK, QUEUE_REFUSED)
    page = concurrent_queue_page(cursor=request.GET.get("cursor"))
    access_log_record_many(user=request.user, objs=[r.stay for r in page.rows], how=AccessLog.How.PAGE, request=request)
    return render(request, "reviews/concurrent_queue.html", {"page": page})


def _context(request, stay_id, *, data=None, which=None, error=None) -> dict:
    require(request.user, Perm.QUEUE_WORK, QUEUE_REFUSED)
    stay = stay_for_user(request.user, stay_id)
    access_log_record(user=request.user, obj=stay, how=AccessLog.How.PAGE, request=request)
    forms = {
        name: form_class(data if name == which else None, initial={"version": stay.version}, stay_id=stay.pk)
        for name, form_class in STAY_FORMS.items()
    }
    return {"row": stay_detail(stay=stay), "stay": stay, "forms": forms, "error": error}


@login_required
def stay_page(request, stay_id: int):
    return render(request, "reviews/stay.html", _context(request, stay_id))


def _run(name: str, actor, stay_id, data: dict):
    version = data["version"]
    if name == "approve":
        stay = stay_services.stay_days_approve(
            stay_id=stay_id,
            actor=actor,
            days=data["days"],
            next_review_on=data["next_review_on"] or None,
            expected_version=version,
            note=data["note"],
        )
        return (
            f"{stay.authorized_days} days authorized through {stay.authorized_through:%Y-%m-%d}; next review "
            f"{stay.next_review_on:%Y-%m-%d}."
        )
    if name == "route":
        stay_services.stay_route_to_physician(
            stay_id=stay_id, actor=actor, days=data["days"], note=data["note"], expected_version=version
        )
        return "The request for more days is with a physician."
    if name == "discharge":
        stay_services.stay_discharge_record(
            stay_id=stay_id,
            actor=actor,
            discharged_at=data["discharged_at"],
            disposition=data["disposition"],
            expected_version=version,
        )
        return "Discharge recorded."
    stay_services.stay_note_add(stay_id=stay_id, actor=actor, text=data["note"], expected_version=version)
    return "Note added."


@login_required
@require_POST
def stay_act(request, stay_id: int, name: str):
    """Every action of the stay page: validate the form's shape, call the service, back to
    the queue; a refusal shows the page again with the message and its status (400, 403,
    409), the posted form kept."""
    context = _context(request, stay_id, data=request.POST, which=name)
    form = context["forms"][name]
    if not form.is_valid():
        context["error"] = "Please correct the highlighted fields."
        return render(request, "reviews/stay.html", context, status=400)
    try:
        message = _run(name, request.user, stay_id, form.cleaned_data)
    except NotFound:
        raise
    except DomainError as exc:
        context = _context(request, stay_id, data=request.POST, which=name, error=exc.message)
        target = context["forms"][name]
        for field, msgs in exc.errors.items():
            if field in target.fields:
                for msg in msgs:
                    target.add_error(field, msg)
        return render(request, "reviews/stay.html", context, status=exc.status_code)
    messages.success(request, message)
    return redirect("reviews:concurrent_queue")
