"""Helpers for reviewer tests: a snapshot of everything an action could write, to assert
that a refused action wrote nothing."""

from datetime import date

from cases.models import AuthorizationRequest, CaseEvent, ServiceLine
from criteria.models import CriteriaVersion
from reviews.models import Appeal, Decision, PeerToPeerAttempt, PeerToPeerRequest, Pend
from tests.factories import criteria_for_code

PASSWORD = "correct-horse-battery"


def written(case) -> dict:
    row = AuthorizationRequest.objects.get(pk=case.pk)
    return {
        "status": row.status,
        "version": row.version,
        "assigned_to": row.assigned_to_id,
        "decided_at": row.decided_at,
        "events": CaseEvent.objects.filter(case=case).count(),
        "decisions": list(Decision.objects.filter(case=case).values_list("pk", "is_current")),
        "pends": Pend.objects.filter(case=case).count(),
        "lines": list(ServiceLine.objects.filter(case=case).values_list("approved_units", "outcome")),
        "appeals": list(Appeal.objects.filter(case=case).values_list("status", "outcome", "version")),
        "talks": list(PeerToPeerRequest.objects.filter(case=case).values_list("status", "outcome")),
        "attempts": PeerToPeerAttempt.objects.filter(peer_to_peer__case=case).count(),
        "locked_criteria": CriteriaVersion.objects.filter(locked_at__isnull=False).count(),
    }


def knee_criteria():
    return criteria_for_code("27447", effective_from=date(2020, 1, 1))
