import pytest
from django.utils import timezone

from cases.models import AuthorizationRequest, CaseEvent
from um_portal.exceptions import ValidationFailed


@pytest.mark.django_db
def test_case_gets_reference_due_time_and_events_at_once(make_case, provider):
    case = make_case(submitted_by=provider)

    year = timezone.localtime(case.received_at).year
    assert case.reference == f"UM-{year}-000001"
    assert case.decision_due_at > case.received_at
    assert case.clocks and case.clocks[0]["started_by"] == "received"
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [CaseEvent.Kind.SUBMITTED, CaseEvent.Kind.CLOCK_SET]
    assert make_case().reference == f"UM-{year}-000002"


@pytest.mark.django_db
def test_malformed_codes_write_nothing(make_case):
    with pytest.raises(ValidationFailed) as excinfo:
        make_case(
            diagnosis_codes=["17.11"],
            lines=[
                {
                    "code_system": "CPT",
                    "code": "2744",
                    "units": 1,
                    "start_date": timezone.localdate(),
                    "end_date": timezone.localdate(),
                }
            ],
        )
    assert "diagnosis_codes" in excinfo.value.errors
    assert "lines" in excinfo.value.errors
    assert AuthorizationRequest.objects.count() == 0
