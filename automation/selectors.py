"""Reads for the automation pages and the intake evaluation."""

from datetime import date

from django.db.models import Q

from .models import AutoApprovalRuleVersion, RuleStatus


def live_versions_on(day: date) -> list[AutoApprovalRuleVersion]:
    """Live rule versions in effect on `day`, in a fixed order (rule name, then id): the
    first that matches approves. One query."""
    return list(
        AutoApprovalRuleVersion.objects.filter(status=RuleStatus.LIVE, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .select_related("rule")
        .order_by("rule__name", "rule_id")
    )


def rule_versions_list():
    """Every rule version for the administrators' list, with its latest simulation."""
    return AutoApprovalRuleVersion.objects.select_related("rule", "created_by", "switched_on_by").order_by(
        "rule__name", "-version"
    )
