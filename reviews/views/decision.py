"""The decision and exactly the criteria text pinned to it, for everyone party to the case:
the provider office (a free copy of the criteria used), the member's advocate on the phone
with UMOC, and reviewers."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from cases.access import case_for_user
from criteria.selectors import criteria_for_decision
from um_portal.audit import access_log_record
from um_portal.models import AccessLog

from ..selectors import decision_current
from ..selectors_worksheet import worksheets_for_decision


@login_required
def decision_detail(request, case_id):
    case = case_for_user(request.user, case_id)
    access_log_record(user=request.user, obj=case, how=AccessLog.How.PAGE, request=request)
    decision = decision_current(case=case)
    return render(
        request,
        "reviews/decision.html",
        {
            "case": case,
            "decision": decision,
            "lines": list(case.lines.all()),
            "criteria": criteria_for_decision(decision) if decision else [],
            # Frozen with the decision, read-only for everyone party to the case.
            "worksheets": worksheets_for_decision(decision),
        },
    )
