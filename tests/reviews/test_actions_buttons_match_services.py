"""A case page shows an action's button exactly when the action's service would accept it:
for every declared action, every role and a range of case states, `allowed(user, case)`
(what the pages show) equals "the service, given good input, did it" (run in a savepoint
that is rolled back)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cases.actions import REGISTRY
from reviews.models import PeerToPeerRequest
from reviews.selectors import case_detail_queryset
from reviews.services.assignment import case_assign
from reviews.services.decisions import case_approve, case_deny
from reviews.services.extensions import case_extend
from reviews.services.pends import case_pend, case_route_to_physician
from reviews.services.provider_requests import appeal_file
from tests.cases.conftest import pdf_upload
from tests.factories import CoverageFactory, MemberFactory
from um_portal.exceptions import DomainError, ValidationFailed

from .helpers import PASSWORD, knee_criteria

pytestmark = pytest.mark.django_db


def _deny(case, physician, version):
    case_deny(
        reason_code="MN01",
        case_id=case.pk,
        actor=physician,
        basis="medical_necessity",
        reason="Criteria not met.",
        criteria_ids=[version.pk],
        password=PASSWORD,
    )


def _changed_talk(case, provider, physician):
    from reviews.services import peer_to_peer as talks

    talk = PeerToPeerRequest.objects.create(
        case=case, requested_by=provider, requested_at=timezone.now(), phone="410-555-0100"
    )
    talks.peer_to_peer_attempt_log(peer_to_peer_id=talk.pk, actor=physician, result="reached")
    talks.peer_to_peer_complete(peer_to_peer_id=talk.pk, actor=physician, outcome="changed")


STATES = {
    "received": lambda c, p: None,
    "claimed_by_another": lambda c, p: case_assign(case_id=c.pk, actor=p["nurse2"]),
    "pended": lambda c, p: case_pend(
        reason_code="PD01",
        case_id=c.pk,
        actor=p["nurse"],
        requested_information="Notes",
        respond_by=timezone.localdate(),
    ),
    "with_physician": lambda c, p: case_route_to_physician(case_id=c.pk, actor=p["nurse"], note="MN question"),
    "extended": lambda c, p: case_extend(case_id=c.pk, actor=p["nurse"], ground="member_request", reason="Asked."),
    "approved": lambda c, p: case_approve(case_id=c.pk, actor=p["nurse"]),
    "denied": lambda c, p: _deny(c, p["physician"], p["version"]),
    "denied_talk_changed": lambda c, p: (
        _deny(c, p["physician"], p["version"]),
        _changed_talk(c, p["provider"], p["physician"]),
    ),
    "appealed": lambda c, p: (
        _deny(c, p["physician"], p["version"]),
        appeal_file(case=c, user=p["provider"], reason="Please look again."),
    ),
}


def good_input(name, case, people) -> dict:
    """Input the service takes for this action when the case and the role allow it."""
    line = case.lines.get()
    return {
        "claim": {},
        "assign": {"username": "nurse2"},
        "note": {"text": "Checked the notes."},
        "pend": {
            "requested_information": "X-rays",
            "respond_by": timezone.localdate() + timedelta(days=5),
            "reason_code": "PD02",
        },
        "approve": {"rationale": "Meets criteria.", "criteria_ids": [people["version"].pk]},
        "route": {"reason": "Needs a physician."},
        "deny": {"basis": "benefit", "reason": "Not a covered benefit.", "criteria_ids": [], "reason_code": "BN01"},
        "partial": {
            "reason": "Two of four.",
            "reason_code": "MN03",
            "criteria_ids": [people["version"].pk],
            "lines": [{"id": str(line.pk), "approved_units": 2}],
            "password": PASSWORD,
        },
        "revise": {
            "outcome": "approved",
            "reason": "The talk showed the criteria are met.",
            "criteria_ids": [],
            "lines": [],
            "password": PASSWORD,
        },
        "offer": {"phone": "410-555-0100"},
        "extend": {"ground": "member_request", "reason": "The member asked for time."},
        "document_upload": {"file": pdf_upload(), "description": "Notes"},
        "respond": {"text": "Attached the notes.", "attachment_ids": []},
        "withdraw": {"reason": "No longer needed."},
        "criteria_copy": {},
        "peer_to_peer": {"phone": "410-555-0100", "preferred_times": []},
        "appeal": {"reason": "Please look again.", "expedited": False},
        # Referral management (issue 20): this case is no referral, so every door refuses;
        # tests/reviews/test_views_referrals.py walks a referral's states.
        "redirection_offer": {"organization_npi": "1234567893", "practitioner_npi": "", "message": "Closer."},
        "referral_approve_out_of_network": {"reason": "distance", "note": ""},
        "redirection_accept": {"note": ""},
        "redirection_decline": {"reason": "distance", "note": ""},
        "authorization_change": {"kind": "add_units", "lines": [{"line": 1, "units": 1}], "reason": "More visits."},
    }[name]


def refusal(action, user, case, data) -> str | None:
    """Run the action's service in a savepoint and roll it back: None if it accepted, else why not."""
    with transaction.atomic():
        try:
            action.run(user, case, data)
        except ValidationFailed as exc:
            raise AssertionError(f"{action.name}: the test's input was refused: {exc.message} {exc.errors}") from exc
        except DomainError as exc:
            return exc.message
        finally:
            transaction.set_rollback(True)
    return None


@pytest.mark.parametrize("state", list(STATES))
def test_every_actions_button_shows_exactly_when_its_service_accepts(
    state, make_case, nurse, nurse2, physician, provider, admin_user
):
    import reviews.actions  # noqa: F401 (registers the reviewer actions)
    import reviews.provider_actions  # noqa: F401
    import reviews.referral_actions  # noqa: F401

    version = knee_criteria()
    people = {"nurse": nurse, "nurse2": nurse2, "physician": physician, "provider": provider, "version": version}
    # A Virginia Medicare Advantage member: the binding rule (CMS) allows an extension.
    member = MemberFactory(state="VA")
    CoverageFactory(member=member, state="VA", line_of_business="medicare_advantage")
    start = timezone.localdate() + timedelta(days=14)
    line = {"code_system": "CPT", "code": "27447", "units": 4, "start_date": start, "end_date": start}
    case = make_case(member=member, lines=[line])
    STATES[state](case, people)
    mismatches = []
    for user in (nurse, physician, provider, admin_user):
        for name, action in REGISTRY.items():
            shown = action.allowed(user, case_detail_queryset().get(pk=case.pk))
            refused = refusal(action, user, case, good_input(name, case, people))
            if shown != (refused is None):
                mismatches.append(f"{user.username} {name}: button {'shown' if shown else 'hidden'}, service "
                                  f"{'refuses: ' + refused if refused else 'accepts'}")  # fmt: skip

    assert not mismatches, "\n".join(mismatches)
