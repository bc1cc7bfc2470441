"""Issue 19, item 3: changes to an authorization an office holds. Each change but a
cancellation is a linked request with its own clock, decision and events; its approval
changes the authorization as a new version; refused changes write nothing."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases.models import AuthorizationRequest, CaseEvent
from reviews.models import Authorization, AuthorizationLine, AuthorizationUse, AuthorizationVersion
from reviews.services.authorization_changes import authorization_change_request
from reviews.services.authorizations import authorization_units_import
from reviews.services.decisions import case_approve, case_deny
from reviews.services.provider_requests import case_withdraw
from tests.factories import AgreementFactory, CoverageFactory, MemberFactory, OrganizationFactory
from um_portal.exceptions import Conflict, NotAllowed, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db
NY = ZoneInfo("America/New_York")
# The Wednesday before Thanksgiving (26 November 2026, a federal holiday), mid-morning.
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=NY)
START = date(2026, 12, 1)


def local(dt) -> str:
    return dt.astimezone(NY).strftime("%Y-%m-%d %H:%M:%S")


def _member(state: str):
    member = MemberFactory(state=state)
    CoverageFactory(member=member, state=state, line_of_business="commercial")
    return member


@pytest.fixture
def frozen():
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


def _authorized(make_case, nurse, state="MD"):
    case = make_case(
        member=_member(state),
        service_category="home_health",
        lines=[
            {"code_system": "HCPCS", "code": "G0151", "units": 6, "start_date": START,
             "end_date": START + timedelta(days=29)},
            {"code_system": "HCPCS", "code": "G0152", "units": 4, "start_date": START,
             "end_date": START + timedelta(days=19)},
        ],
    )  # fmt: skip
    case_approve(case_id=case.pk, actor=nurse)
    return Authorization.objects.get(case=case)


@pytest.fixture
def authorization(frozen, make_case, nurse):
    return _authorized(make_case, nurse)


def written() -> dict:
    """Everything a change could write."""
    return {
        "cases": AuthorizationRequest.objects.count(),
        "events": CaseEvent.objects.count(),
        "versions": AuthorizationVersion.objects.count(),
        "lines": list(
            AuthorizationLine.objects.order_by("pk").values_list("approved_units", "end_date", "cancelled_at")
        ),
        "authorizations": list(Authorization.objects.order_by("pk").values_list("valid_to", "servicing_organization")),
    }


def _add(authorization, provider, units=4, line=1, **extra):
    return authorization_change_request(
        case_id=authorization.case_id, user=provider, kind="add_units", lines=[{"line": line, "units": units}],
        reason="Slower recovery than expected.", **extra,
    )  # fmt: skip


def test_adding_units_is_a_linked_request_with_its_own_reference_lines_and_events(authorization, provider):
    change = _add(authorization, provider)

    assert change.pk != authorization.case_id and change.reference != authorization.case.reference
    assert change.change_of_id == authorization.case_id and change.change_kind == "add_units"
    assert change.status == "received" and change.received_at == WEDNESDAY
    assert [(line.code, line.units, line.start_date) for line in change.lines.all()] == [("G0151", 4, START)]
    assert change.change_details["lines"] == [{"line": 1, "units": 4, "change_line": 1}]
    kinds = set(CaseEvent.objects.filter(case=change).values_list("kind", flat=True))
    assert {"submitted", "clock_set", "change_requested"} <= kinds
    asked = CaseEvent.objects.get(case=authorization.case, kind="change_requested")
    assert change.reference in asked.message and "4 to line 1" in asked.message
    # Nothing changes on the authorization until the change is decided.
    assert list(authorization.lines.values_list("approved_units", flat=True)) == [6, 4]


def test_maryland_gives_added_units_one_business_day_across_thanksgiving(authorization, provider):
    change = _add(authorization, provider)

    # Received Wednesday; Thursday is Thanksgiving: the next business day is Friday.
    assert change.clocks[0]["rule"] == "md_insurance"
    assert local(change.decision_due_at) == "2026-11-27 23:59:59"


def test_an_extension_in_maryland_is_added_services_too(authorization, provider):
    change = authorization_change_request(
        case_id=authorization.case_id, user=provider, kind="extend", end_date=date(2027, 1, 31),
        reason="Wound not healed.",
    )  # fmt: skip

    assert local(change.decision_due_at) == "2026-11-27 23:59:59"
    assert [(line.start_date, line.end_date, line.units) for line in change.lines.all()] == [
        (date(2026, 12, 31), date(2027, 1, 31), 6),
        (date(2026, 12, 21), date(2027, 1, 31), 4),
    ]


def test_a_change_of_servicing_provider_in_maryland_runs_the_standard_clock(authorization, provider):
    other = OrganizationFactory(name="Bay Home Health", kind="home_health")
    AgreementFactory(organization=other)

    change = authorization_change_request(
        case_id=authorization.case_id, user=provider, kind="change_servicing_provider",
        servicing_provider_npi=other.npi, reason="The agency closed its branch.",
    )  # fmt: skip

    # Two business days: Friday, then Monday.
    assert local(change.decision_due_at) == "2026-11-30 23:59:59"
    assert change.servicing_organization == other


def test_elsewhere_a_change_is_a_new_request_for_the_clocks(frozen, make_case, nurse, provider):
    authorization = _authorized(make_case, nurse, state="VA")

    change = _add(authorization, provider)

    # Virginia commercial: NCQA only, 15 calendar days for a standard pre-service request.
    assert [c["rule"] for c in change.clocks] == ["ncqa"]
    assert local(change.decision_due_at) == "2026-12-10 23:59:59"


def test_approving_added_units_adds_them_to_the_authorization_as_a_new_version(authorization, provider, nurse):
    change = _add(authorization, provider)

    decision = case_approve(case_id=change.pk, actor=nurse)

    authorization.refresh_from_db()
    assert list(authorization.lines.values_list("approved_units", flat=True)) == [10, 4]
    assert authorization.version == 2
    first, second = authorization.versions.order_by("number")
    assert (first.kind, first.lines[0]["approved_units"]) == ("issued", 6)
    assert (second.kind, second.decision, second.change_case_id) == ("add_units", decision, change.pk)
    assert second.lines[0]["approved_units"] == 10 and second.actor == nurse
    changed = CaseEvent.objects.get(case=authorization.case, kind="authorization_changed")
    assert change.reference in changed.message
    assert Authorization.objects.count() == 1  # the change yields no authorization of its own


def test_a_denied_change_leaves_the_authorization_as_it_was(authorization, provider, nurse):
    change = _add(authorization, provider)

    case_deny(reason_code="BN01", case_id=change.pk, actor=nurse, basis="benefit", reason="Benefit limit reached.")

    assert list(authorization.lines.values_list("approved_units", flat=True)) == [6, 4]
    assert authorization.versions.count() == 1


def test_an_approved_extension_moves_the_end_dates_and_allows_use_then(authorization, provider, nurse, admin_user):
    change = authorization_change_request(
        case_id=authorization.case_id, user=provider, kind="extend", end_date=date(2027, 1, 31), lines=[{"line": 1}],
        reason="Wound not healed.",
    )  # fmt: skip

    case_approve(case_id=change.pk, actor=nurse)

    authorization.refresh_from_db()
    assert authorization.valid_to == date(2027, 1, 31)
    assert list(authorization.lines.values_list("end_date", flat=True)) == [date(2027, 1, 31), date(2026, 12, 20)]
    authorization_units_import(
        text=f"authorization_number,line,units,date\n{authorization.number},1,2,2027-01-20\n", actor=admin_user
    )
    assert authorization.lines.get(line_number=1).units_used == 2


def test_cancelling_lines_needs_no_review_and_is_recorded_at_once(authorization, provider, admin_user):
    cases = AuthorizationRequest.objects.count()

    result = authorization_change_request(
        case_id=authorization.case_id, user=provider, kind="cancel_lines", lines=[{"line": 2}],
        reason="Supplies no longer needed.",
    )  # fmt: skip

    assert result.pk == authorization.case_id and AuthorizationRequest.objects.count() == cases
    line = authorization.lines.get(line_number=2)
    assert line.cancelled_at == WEDNESDAY
    version = authorization.versions.get(number=2)
    assert version.kind == "cancel_lines" and version.decision is None and version.lines[1]["cancelled"]
    assert CaseEvent.objects.filter(case=authorization.case, kind="authorization_changed").exists()
    with pytest.raises(ValidationFailed, match="was cancelled"):
        authorization_units_import(
            text=f"authorization_number,line,units,date\n{authorization.number},2,1,2026-12-02\n", actor=admin_user
        )


def test_a_change_to_a_denied_case_is_refused_and_nothing_written(frozen, make_case, nurse, provider):
    case = make_case(member=_member("MD"))
    case_deny(reason_code="BN01", case_id=case.pk, actor=nurse, basis="benefit", reason="Excluded.")
    before = written()

    with pytest.raises(Conflict, match="denied: it holds no authorization"):
        authorization_change_request(
            case_id=case.pk, user=provider, kind="add_units", lines=[{"line": 1, "units": 1}], reason="More."
        )

    assert written() == before


def test_a_change_to_a_withdrawn_case_is_refused_and_nothing_written(frozen, make_case, provider):
    case = make_case(member=_member("MD"))
    case_withdraw(case=case, user=provider, reason="Not needed.")
    before = written()

    with pytest.raises(Conflict, match="withdrawn"):
        authorization_change_request(case_id=case.pk, user=provider, kind="extend", end_date="2027-02-01", reason="x")

    assert written() == before


def test_a_change_to_an_expired_authorization_is_refused_and_nothing_written(authorization, provider):
    before = written()

    with time_machine.travel(datetime(2027, 1, 2, 9, 0, tzinfo=NY), tick=False):
        with pytest.raises(Conflict, match=f"{authorization.number} expired on"):
            _add(authorization, provider)

    assert written() == before


def test_one_open_change_at_a_time(authorization, provider):
    first = _add(authorization, provider)
    before = written()

    with pytest.raises(Conflict, match=f"open change request, {first.reference}"):
        _add(authorization, provider, units=2, line=2)

    assert written() == before


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"kind": "add_units", "lines": [{"line": 1, "units": -3}]}, "lines", "whole number from 1"),
        ({"kind": "add_units", "lines": [{"line": 1, "units": "2.5"}]}, "lines", "whole number from 1"),
        ({"kind": "add_units", "lines": [{"line": 9, "units": 2}]}, "lines", "must be the number of a line"),
        ({"kind": "add_units", "lines": []}, "lines", "at least one line"),
        ({"kind": "extend", "end_date": "2026-11-01"}, "end_date", "before line 1's start"),
        ({"kind": "extend", "end_date": "2026-12-15"}, "end_date", "after line 1's current end"),
        ({"kind": "extend", "end_date": "soon"}, "end_date", "YYYY-MM-DD"),
        ({"kind": "change_servicing_provider", "servicing_provider_npi": "1234567893"}, "servicing_provider_npi",
         "not in the plan's provider directory"),
        ({"kind": "renew"}, "kind", "must be one of"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_clearly_and_nothing_written(authorization, provider, kwargs, field, message):
    before = written()

    with pytest.raises(ValidationFailed) as refused:
        authorization_change_request(case_id=authorization.case_id, user=provider, reason="Because.", **kwargs)

    assert any(message in m for m in refused.value.errors[field]), refused.value.errors
    assert written() == before


def test_a_missing_reason_is_refused(authorization, provider):
    with pytest.raises(ValidationFailed) as refused:
        authorization_change_request(
            case_id=authorization.case_id, user=provider, kind="add_units", lines=[{"line": 1, "units": 1}], reason=" "
        )
    assert refused.value.errors["reason"] == ["Say why the change is needed."]


def test_another_office_gets_not_found_and_nothing_written(authorization, provider2):
    before = written()

    with pytest.raises(NotFound):
        _add(authorization, provider2)

    assert written() == before


def test_staff_cannot_ask_for_an_office(authorization, nurse):
    with pytest.raises(NotAllowed):
        _add(authorization, nurse)


def test_units_used_never_exceed_units_approved_without_an_approved_change(authorization, provider, nurse, admin_user):
    csv = f"authorization_number,line,units,date\n{authorization.number},1,8,2026-12-05\n"
    change = _add(authorization, provider, units=4)

    # Asked for is not approved: 8 of 6 is refused, nothing recorded.
    with pytest.raises(ValidationFailed, match="only 6 are approved"):
        authorization_units_import(text=csv, actor=admin_user)
    assert not AuthorizationUse.objects.exists()

    case_approve(case_id=change.pk, actor=nurse)
    authorization_units_import(text=csv, actor=admin_user)

    assert authorization.lines.get(line_number=1).units_used == 8


def test_a_revised_decision_on_the_original_keeps_what_changes_added(frozen, make_case, nurse, physician, provider):
    from reviews.models import PeerToPeerAttempt, PeerToPeerRequest
    from reviews.services.decisions import case_decision_revise, case_partially_approve
    from reviews.services.peer_to_peer import peer_to_peer_complete
    from reviews.services.pends import case_route_to_physician
    from tests.factories import CriteriaVersionFactory

    from .helpers import PASSWORD

    case = make_case(
        member=_member("MD"),
        service_category="home_health",
        lines=[{"code_system": "HCPCS", "code": "G0151", "units": 6, "start_date": START,
                "end_date": START + timedelta(days=29)}],
    )  # fmt: skip
    case_route_to_physician(case_id=case.pk, actor=nurse, note="Needs a physician.")
    version = CriteriaVersionFactory(effective_from=date(2026, 1, 1))
    line = case.lines.get()
    case_partially_approve(
        reason_code="MN03", case_id=case.pk, actor=physician, reason="Three visits.", criteria_ids=[version.pk],
        lines=[{"id": str(line.pk), "approved_units": 3}], password=PASSWORD,
    )  # fmt: skip
    authorization = Authorization.objects.get(case=case)
    change = _add(authorization, provider, units=2)
    case_approve(case_id=change.pk, actor=nurse)
    extension = authorization_change_request(
        case_id=case.pk, user=provider, kind="extend", end_date=date(2027, 1, 31), reason="Longer."
    )
    case_approve(case_id=extension.pk, actor=nurse)
    talk = PeerToPeerRequest.objects.create(case=case, requested_by=provider, requested_at=WEDNESDAY, phone="1")
    PeerToPeerAttempt.objects.create(peer_to_peer=talk, at=WEDNESDAY, by=physician, result="reached")
    peer_to_peer_complete(peer_to_peer_id=talk.pk, actor=physician, outcome="changed")

    case_decision_revise(case_id=case.pk, actor=physician, outcome="approved", reason="All six.", password=PASSWORD)

    authorization.refresh_from_db()
    assert list(authorization.lines.values_list("approved_units", "end_date")) == [(8, date(2027, 1, 31))]
    assert authorization.valid_to == date(2027, 1, 31)
    assert [v.kind for v in authorization.versions.order_by("number")] == ["issued", "add_units", "extend", "revised"]


def test_an_approved_change_of_servicing_provider_moves_the_authorization_and_its_access(
    authorization, provider, provider2, imaging, nurse
):
    from cases.access import cases_visible_to

    change = authorization_change_request(
        case_id=authorization.case_id, user=provider, kind="change_servicing_provider",
        servicing_provider_npi=imaging.npi, reason="Closer to home.",
    )  # fmt: skip
    assert not cases_visible_to(provider2).filter(pk=authorization.case_id).exists()

    case_approve(case_id=change.pk, actor=nurse)

    authorization.refresh_from_db()
    assert authorization.servicing_organization == imaging
    assert authorization.case.servicing_organization == imaging
    assert cases_visible_to(provider2).filter(pk=authorization.case_id).exists()
    assert cases_visible_to(provider).filter(pk=authorization.case_id).exists()  # still the requester
    assert authorization.versions.last().kind == "change_servicing_provider"


def test_the_one_servicing_provider_service_moves_a_decided_case_and_the_authorization_it_holds(
    authorization, provider, provider2, imaging
):
    # The service both doors call (a redirection accepted, issue 20; this change approved):
    # on a decided case it finds and moves the authorization too, and access follows.
    from django.db import transaction

    from cases.access import cases_visible_to
    from cases.services.workflow import case_lock
    from reviews.services.servicing import servicing_provider_change

    with transaction.atomic():
        moved = servicing_provider_change(case=case_lock(case_id=authorization.case_id), organization=imaging)

    authorization.refresh_from_db()
    assert moved.pk == authorization.pk and authorization.servicing_organization == imaging
    assert authorization.case.servicing_organization == imaging
    assert cases_visible_to(provider2).filter(pk=authorization.case_id).exists()
    assert cases_visible_to(provider).filter(pk=authorization.case_id).exists()  # still the requester
