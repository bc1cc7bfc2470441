"""The facts the rule conditions look at, read from a case (at intake, or a past case in a
simulation). `facts_queryset` builds in the joins so a batch costs a fixed number of queries."""

from django.db.models import Prefetch
from django.utils import timezone

from cases.models import AuthorizationRequest, ProviderAgreement

from .conditions import Facts
from .models_goldcard import GoldCardStatus


def facts_queryset():
    return AuthorizationRequest.objects.select_related("coverage", "member").prefetch_related(
        "lines",
        "diagnoses",
        "attachments",
        Prefetch("servicing_organization__agreements", queryset=ProviderAgreement.objects.all()),
    )


def _network_status(case, first_day) -> str:
    agreements = case.servicing_organization.agreements.all()
    return "in_network" if any(a.is_active_on(first_day) for a in agreements) else "out_of_network"


def gold_cards_for(organization_ids) -> set[tuple[int, str]]:
    """{(organization id, code group)} currently gold-carded (granted or in its notice period)."""
    rows = GoldCardStatus.objects.filter(
        organization_id__in=set(organization_ids),
        status__in=[GoldCardStatus.Status.GRANTED, GoldCardStatus.Status.REVOCATION_NOTICED],
    ).values_list("organization_id", "code_group")
    return set(rows)


def case_facts(case, *, gold: set[tuple[int, str]] | None = None, checklist: dict | None = None) -> Facts:
    lines = list(case.lines.all())
    first_day = min((line.start_date for line in lines), default=timezone.localdate(case.received_at))
    if gold is None:
        gold = gold_cards_for([case.requesting_organization_id])
    coverage = case.coverage
    return Facts(
        codes=[line.code for line in lines],
        diagnoses=[d.code for d in case.diagnoses.all()],
        line_of_business=coverage.line_of_business if coverage else "",
        state=coverage.state if coverage else case.member.state,
        place_of_service=case.place_of_service or "",
        lines=[(line.line_number, line.units, (line.end_date - line.start_date).days + 1) for line in lines],
        network_status=_network_status(case, first_day),
        gold_card=(case.requesting_organization_id, case.service_category) in gold,
        documents=[text.lower() for a in case.attachments.all() for text in (a.original_name, a.description) if text],
        checklist=checklist or {},
    )
