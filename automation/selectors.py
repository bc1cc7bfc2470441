"""Reads for the automation pages and the intake evaluation."""

from datetime import date

from django.db.models import Count, Max

from .models import AutoApprovalRuleVersion, RuleStatus

_live_cache: dict = {"stamp": None, "versions": []}


def live_versions_on(day: date) -> list[AutoApprovalRuleVersion]:
    """Live rule versions in effect on `day`, in a fixed order (rule name, then id): the
    first that matches approves.

    Read on every submit, so the live set is kept in the process and re-read only when its
    stamp (how many are live, the newest id, the latest switch-on) moves: one small
    aggregate query instead of 200 rows. A live version's conditions never change (only
    drafts are edited), so the stamp is enough."""
    stamp = tuple(
        AutoApprovalRuleVersion.objects.filter(status=RuleStatus.LIVE)
        .aggregate(n=Count("pk"), last=Max("pk"), at=Max("live_at"))
        .values()
    )
    if stamp != _live_cache["stamp"]:
        versions = list(
            AutoApprovalRuleVersion.objects.filter(status=RuleStatus.LIVE)
            .select_related("rule")
            .order_by("rule__name", "rule_id")
        )
        _live_cache.update(stamp=stamp, versions=versions)
    return [
        v
        for v in _live_cache["versions"]
        if v.effective_from <= day and (v.effective_to is None or v.effective_to >= day)
    ]


def rule_versions_list():
    """Every rule version for the administrators' list, with its latest simulation."""
    return AutoApprovalRuleVersion.objects.select_related("rule", "created_by", "switched_on_by").order_by(
        "rule__name", "-version"
    )
