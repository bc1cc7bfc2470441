from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from um_portal.audit import access_log_record_many
from um_portal.exceptions import DomainError, NotFound
from um_portal.models import AccessLog
from um_portal.roles import Perm

from ..forms import AttemptForm, CompleteForm, ScheduleForm
from ..selectors import peer_to_peer_list
from ..services import peer_to_peer as talks
from .common import require


def _page(request, *, error=None, status=200):
    require(request.user, Perm.PEER_TO_PEER_CONDUCT, "Only physicians hold peer-to-peer talks.")
    items = list(peer_to_peer_list(user=request.user, open_only=request.GET.get("show") != "all"))
    # The page names each talk's member: a PHI read of each case shown (issue 12, item 6).
    access_log_record_many(user=request.user, objs=[t.case for t in items], how=AccessLog.How.PAGE, request=request)
    for talk in items:
        # One set of forms per talk, their ids carrying the talk's (ids unique on the page).
        auto_id = f"id_talk{talk.pk}_%s"
        talk.forms = {
            "schedule": ScheduleForm(auto_id=auto_id),
            "attempt": AttemptForm(auto_id=auto_id),
            "complete": CompleteForm(auto_id=auto_id),
        }
    context = {
        "talks": items,
        "show_all": request.GET.get("show") == "all",
        "error": error,
    }
    return render(request, "reviews/peer_to_peer.html", context, status=status)


@login_required
def talk_list(request):
    return _page(request)


# The talk actions: the form, the service call and the message, once each.
TALK_ACTIONS = {
    "schedule": (
        ScheduleForm,
        lambda actor, talk_id, d: talks.peer_to_peer_schedule(
            peer_to_peer_id=talk_id, actor=actor, scheduled_for=d["scheduled_for"]
        ),
        "Talk scheduled.",
    ),
    "attempt": (
        AttemptForm,
        lambda actor, talk_id, d: talks.peer_to_peer_attempt_log(
            peer_to_peer_id=talk_id, actor=actor, result=d["result"], note=d["note"]
        ),
        "Call logged.",
    ),
    "complete": (
        CompleteForm,
        lambda actor, talk_id, d: talks.peer_to_peer_complete(
            peer_to_peer_id=talk_id, actor=actor, outcome=d["outcome"], notes=d["notes"]
        ),
        "Talk completed.",
    ),
}


@login_required
@require_POST
def act(request, talk_id, name: str):
    form_class, run, success = TALK_ACTIONS[name]
    require(request.user, Perm.PEER_TO_PEER_CONDUCT, "Only physicians hold peer-to-peer talks.")
    form = form_class(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {', '.join(v)}" for k, v in form.errors.items())
        return _page(request, error=f"Please correct: {errors}", status=400)
    try:
        run(request.user, talk_id, form.cleaned_data)
    except NotFound:
        raise
    except DomainError as exc:
        return _page(request, error=exc.message, status=exc.status_code)
    messages.success(request, success)
    return redirect("reviews:peer_to_peer")
