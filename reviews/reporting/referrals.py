"""Referral management figures (issue 20, item 4) for the operations dashboard: in-network
redirections proposed, accepted and declined (with the offices' reasons), by specialty and
month, and out-of-network referral approvals (with the nurses' reasons).

Counted live from the proposals and reviews (indexed on offered_at and decided_at): a few
rows per referral, not per case event, so three grouped queries whatever the period. A
proposal counts in the month it was made; its answer is counted with it. Months are the
plan's (time zone setting), like every other dashboard figure. No PHI, no per-person figures.
"""

from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from cases.deadlines.calendar import plan_tz
from cases.models import AuthorizationRequest

from ..models_referrals import OutOfNetworkReason, RedirectionOffer, ReferralReview

ACCEPTED = RedirectionOffer.Status.ACCEPTED
DECLINED = RedirectionOffer.Status.DECLINED
NO_SPECIALTY = "(no specialty)"


def _bounds(filters) -> tuple[datetime, datetime]:
    tz = plan_tz()
    return (
        datetime.combine(filters.start, time.min, tzinfo=tz),
        datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=tz),
    )


def _cases(filters):
    """The cases the dashboard's filters keep (line of business, state, category)."""
    q = filters.case_q()
    return None if not q else AuthorizationRequest.objects.filter(q).values("pk")


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def referral_figures(filters) -> dict:
    start, end = _bounds(filters)
    cases = _cases(filters)
    offers = RedirectionOffer.objects.filter(offered_at__gte=start, offered_at__lt=end)
    approvals = ReferralReview.objects.filter(
        status=ReferralReview.Status.APPROVED_OUT_OF_NETWORK, decided_at__gte=start, decided_at__lt=end
    )
    if cases is not None:
        offers, approvals = offers.filter(case__in=cases), approvals.filter(case__in=cases)
    month = TruncMonth("offered_at", tzinfo=plan_tz())
    redirections = [
        {
            "month": row["month"].date().replace(day=1),
            "specialty": row["specialty_name"] or NO_SPECIALTY,
            "offered": row["offered"],
            "accepted": row["accepted"],
            "declined": row["declined"],
            "waiting": row["offered"] - row["accepted"] - row["declined"],
            "accepted_percent": _percent(row["accepted"], row["accepted"] + row["declined"]),
        }
        for row in offers.annotate(month=month)
        .values("month", "specialty_name")
        .annotate(
            offered=Count("id"),
            accepted=Count("id", filter=Q(status=ACCEPTED)),
            declined=Count("id", filter=Q(status=DECLINED)),
        )
        .order_by("month", "specialty_name")
    ]
    labels = dict(OutOfNetworkReason.choices)
    declines = [
        {
            "month": row["month"].date().replace(day=1),
            "specialty": row["specialty_name"] or NO_SPECIALTY,
            "reason": labels.get(row["decline_reason"], row["decline_reason"]),
            "declined": row["n"],
        }
        for row in offers.filter(status=DECLINED)
        .annotate(month=month)
        .values("month", "specialty_name", "decline_reason")
        .annotate(n=Count("id"))
        .order_by("month", "specialty_name", "decline_reason")
    ]
    approved = [
        {
            "month": row["month"].date().replace(day=1),
            "specialty": row["specialty_name"] or NO_SPECIALTY,
            "reason": labels.get(row["approval_reason"], row["approval_reason"]),
            "approved": row["n"],
        }
        for row in approvals.annotate(month=TruncMonth("decided_at", tzinfo=plan_tz()))
        .values("month", "specialty_name", "approval_reason")
        .annotate(n=Count("id"))
        .order_by("month", "specialty_name", "approval_reason")
    ]
    totals = dict.fromkeys(("offered", "accepted", "declined", "waiting"), 0)
    for row in redirections:
        for name in ("offered", "accepted", "declined", "waiting"):
            totals[name] += row[name]
    totals["approved_out_of_network"] = sum(row["approved"] for row in approved)
    totals["accepted_percent"] = _percent(totals["accepted"], totals["accepted"] + totals["declined"])
    return {"redirections": redirections, "declines": declines, "approvals": approved, "totals": totals}
