"""Referral management pages (issue 20): the unit's queue and the review page's door for
its two actions (propose a redirection, approve out of network)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from cases.actions import action_page
from um_portal.audit import access_log_record_many
from um_portal.models import AccessLog
from um_portal.roles import Perm

from ..models_referrals import ReferralReview
from ..referral_actions import REFERRAL_NURSE_ACTIONS
from ..selectors_referrals import STATUS_FILTERS, referral_queue_page
from .common import require

act = action_page(REFERRAL_NURSE_ACTIONS, back="reviews:case")


@login_required
def referral_queue(request):
    require(request.user, Perm.REFERRAL_MANAGE, "This queue is the Referral Management Unit's.")
    status = request.GET.get("status", "")
    page = referral_queue_page(status=status, cursor=request.GET.get("cursor"))
    access_log_record_many(user=request.user, objs=[r.case for r in page.rows], how=AccessLog.How.PAGE, request=request)
    return render(
        request,
        "reviews/referral_queue.html",
        {
            "page": page,
            "status": status if status in STATUS_FILTERS else "",
            "statuses": [(s.value, s.label) for s in ReferralReview.QUEUED],
            "Status": ReferralReview.Status,
        },
    )
