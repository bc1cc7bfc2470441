from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStatus
from reviews.models import Appeal, Decision, PeerToPeerRequest
from reviews.services.decisions import case_deny
from reviews.services.pends import case_route_to_physician

from .helpers import PASSWORD, knee_criteria, written

pytestmark = pytest.mark.django_db


def test_nurse_queue_page_lists_open_cases_with_time_left(client, make_case, nurse):
    case = make_case(urgency="expedited", expedited_reason="Severe pain")
    client.force_login(nurse)

    page = client.get(reverse("reviews:nurse_queue")).content.decode()

    assert case.reference in page and "left" in page and "due-ok" in page and "Expedited" in page


def test_nurse_queue_row_shows_case_member_lines_assignee_and_escalation_escaped(client, make_case, nurse, nurse2):
    # Given an escalated case held by nurse2, whose member's name and line hold markup
    from cases.models import AuthorizationRequest, ServiceLine
    from reviews.services.assignment import case_assign

    case = make_case()
    case.member.first_name = "<b>Ann</b>"
    case.member.save(update_fields=["first_name"])
    ServiceLine.objects.filter(case=case).update(description="Knee & <i>hip</i>")
    AuthorizationRequest.objects.filter(pk=case.pk).update(overdue_at=timezone.now())
    case_assign(case_id=case.pk, actor=nurse2)
    client.force_login(nurse)

    # When the nurse opens the queue
    page = client.get(reverse("reviews:nurse_queue")).content.decode()

    # Then the row links the case and shows its member, plan, line, reviewer and escalation, escaped
    assert f'<a href="{reverse("reviews:case", args=[case.pk])}">{case.reference}</a>' in page
    assert "&lt;b&gt;Ann&lt;/b&gt;" in page and "<b>Ann</b>" not in page
    assert f"{case.member.member_number} · Commercial · " in page
    assert "CPT 27447 · Knee &amp; &lt;i&gt;hip&lt;/i&gt;" in page
    assert nurse2.display_name in page and '<span class="badge due-over">Escalated</span>' in page
    assert '<span class="badge">In review</span>' in page and "Standard" in page


def test_at_risk_filter_shows_only_cases_due_within_a_day(client, make_case, nurse):
    soon, later = make_case(), make_case()
    soon.decision_due_at = timezone.now() + timedelta(hours=3)
    soon.save(update_fields=["decision_due_at"])
    client.force_login(nurse)

    page = client.get(reverse("reviews:nurse_queue"), {"due": "soon"}).content.decode()

    assert soon.reference in page and later.reference not in page and "due-soon" in page


def test_review_page_shows_every_section(client, make_case, nurse, member):
    version = knee_criteria()
    older = make_case(member=member)
    case = make_case(member=member)
    client.force_login(nurse)

    response = client.get(reverse("reviews:case", args=[case.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    for text in (member.name, "Coverage", "Requesting", "27447", "M17.11", "Synthetic test case.", "Documents",
                 older.reference, version.criteria_set.name, version.indications[0], "Notes", "Timeline"):  # fmt: skip
        assert text in html, text
    # A nurse is offered benefit/administrative grounds only, and no partial approval.
    assert 'value="medical_necessity"' not in html and "form-partial" not in html


def test_review_page_is_404_for_strangers_and_403_for_providers(client, make_case, provider, provider2):
    case = make_case()
    client.force_login(provider2)
    assert client.get(reverse("reviews:case", args=[case.pk])).status_code == 404
    client.force_login(provider)
    assert client.get(reverse("reviews:case", args=[case.pk])).status_code == 403


def test_nurse_claims_notes_and_routes_through_the_pages(client, make_case, nurse):
    case = make_case()
    client.force_login(nurse)

    client.post(reverse("reviews:claim", args=[case.pk]), {"version": case.version})
    client.post(reverse("reviews:note", args=[case.pk]), {"text": "PT notes thin."})
    case.refresh_from_db()
    response = client.post(
        reverse("reviews:route", args=[case.pk]), {"reason": "Only 4 weeks of PT.", "version": case.version}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.PHYSICIAN_REVIEW
    page = client.get(reverse("reviews:case", args=[case.pk])).content.decode()
    assert "PT notes thin." in page and "Routed to physician" in page


def test_nurse_medical_necessity_denial_by_page_is_403_and_writes_nothing(client, make_case, nurse):
    version = knee_criteria()
    case = make_case()
    client.force_login(nurse)
    before = written(case)

    deny = client.post(
        reverse("reviews:deny", args=[case.pk]),
        {"basis": "medical_necessity", "reason": "No.", "criteria_ids": [version.pk], "password": PASSWORD},
    )
    line = case.lines.get()
    partial = client.post(
        reverse("reviews:partially_approve", args=[case.pk]),
        {"reason": "r", f"line_{line.pk}": 0, "password": PASSWORD, "criteria_ids": [version.pk]},
    )

    # The nurse's deny form has no medical-necessity choice; a forged post is still refused.
    assert deny.status_code in (400, 403) and partial.status_code == 403
    assert "Only a physician" in partial.content.decode()
    assert written(case) == before


def test_forged_medical_necessity_post_reaches_the_service_refusal(client, make_case, nurse, monkeypatch):
    """Even if the form offered the choice, the service refuses with 403."""
    from reviews.views import case as case_views

    version = knee_criteria()
    original = case_views._forms

    def forms_with_all_bases(case, **kwargs):
        built = original(case, **kwargs)
        built["deny"].fields["basis"].choices = Decision.Basis.choices
        built["deny"].fields["reason_code"].choices = [("MN01", "MN01")]
        return built

    monkeypatch.setattr(case_views, "_forms", forms_with_all_bases)
    case = make_case()
    client.force_login(nurse)
    before = written(case)

    response = client.post(
        reverse("reviews:deny", args=[case.pk]),
        {"basis": "medical_necessity", "reason_code": "MN01", "reason": "No.", "criteria_ids": [version.pk],
         "password": PASSWORD},
    )  # fmt: skip

    assert response.status_code == 403 and "Only a physician" in response.content.decode()
    assert written(case) == before


def test_stale_form_answers_409_and_shows_the_new_state(client, make_case, nurse, nurse2):
    case = make_case()
    seen_version = case.version
    client.force_login(nurse2)
    client.post(reverse("reviews:approve", args=[case.pk]), {"version": seen_version})
    client.force_login(nurse)
    before = written(case)

    response = client.post(
        reverse("reviews:deny", args=[case.pk]),
        {"basis": "benefit", "reason_code": "BN01", "reason": "Excluded", "version": seen_version},
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else" in html and ">Approved<" in html
    assert written(case) == before


def test_physician_denies_with_criteria_and_signature_by_page(client, make_case, nurse, physician):
    version = knee_criteria()
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
    client.force_login(physician)
    case.refresh_from_db()

    wrong = client.post(
        reverse("reviews:deny", args=[case.pk]),
        {"basis": "medical_necessity", "reason_code": "MN01", "reason": "4 weeks of PT only.",
         "criteria_ids": [version.pk], "password": "nope", "version": case.version},
    )  # fmt: skip
    right = client.post(
        reverse("reviews:deny", args=[case.pk]),
        {"basis": "medical_necessity", "reason_code": "MN01", "reason": "4 weeks of PT only.",
         "criteria_ids": [version.pk], "password": PASSWORD, "version": case.version},
    )  # fmt: skip

    assert wrong.status_code == 400 and "does not match" in wrong.content.decode()
    assert right.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DENIED


def test_physician_partially_approves_by_page(client, make_case, nurse, physician):
    version = knee_criteria()
    start = timezone.localdate() + timedelta(days=5)
    case = make_case(
        lines=[{"code_system": "CPT", "code": "27447", "units": 4, "start_date": start, "end_date": start}]
    )
    case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
    line = case.lines.get()
    client.force_login(physician)

    response = client.post(
        reverse("reviews:partially_approve", args=[case.pk]),
        {
            "reason": "Two are supported.",
            "reason_code": "MN03",
            f"line_{line.pk}": 2,
            "criteria_ids": [version.pk],
            "password": PASSWORD,
        },
    )

    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.approved_units, line.outcome) == (2, "partially_approved")


@pytest.fixture
def appeal(make_case, nurse, physician, provider):
    version = knee_criteria()
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="n")
    case_deny(case_id=case.pk, actor=physician, basis="medical_necessity", reason="Only 4 weeks of PT.",
              reason_code="MN01", criteria_ids=[version.pk], password=PASSWORD)  # fmt: skip
    return Appeal.objects.create(
        case=case, decision_appealed=Decision.objects.get(case=case), reason="14 weeks at another clinic.",
        filed_by=provider, filed_at=timezone.now(), due_at=timezone.now() + timedelta(days=30),
    )  # fmt: skip


def test_appeal_pages_hide_the_form_from_the_physician_who_decided(client, appeal, physician, physician2):
    client.force_login(physician)
    queue = client.get(reverse("reviews:appeals")).content.decode()
    page = client.get(reverse("reviews:appeal", args=[appeal.pk])).content.decode()
    before = written(appeal.case)
    forged = client.post(
        reverse("reviews:appeal_decide", args=[appeal.pk]),
        {"outcome": "overturned", "reason": "r", "password": PASSWORD, "version": appeal.version},
    )

    assert "You took part" in queue and "form-appeal" not in page
    assert forged.status_code == 403 and written(appeal.case) == before

    client.force_login(physician2)
    response = client.post(
        reverse("reviews:appeal_decide", args=[appeal.pk]),
        {"outcome": "overturned", "reason": "14 weeks shown.", "password": PASSWORD, "version": appeal.version},
    )
    assert response.status_code == 302
    appeal.case.refresh_from_db()
    assert appeal.case.status == CaseStatus.APPROVED


def test_peer_to_peer_page_schedules_and_logs_a_voicemail(client, make_case, provider, physician):
    case = make_case()
    talk = PeerToPeerRequest.objects.create(
        case=case,
        requested_by=provider,
        requested_at=timezone.now(),
        preferred_times=["Tue 8-10"],
        phone="410-555-0101",
    )
    client.force_login(physician)

    client.post(reverse("reviews:talk_schedule", args=[talk.pk]), {"scheduled_for": "2030-01-08T09:00"})
    client.post(reverse("reviews:talk_attempt", args=[talk.pk]), {"result": "voicemail", "note": "Left number"})
    page = client.get(reverse("reviews:peer_to_peer")).content.decode()

    talk.refresh_from_db()
    assert talk.status == "scheduled" and talk.attempts.get().result == "voicemail"
    assert "Left a voicemail" in page and "Tue 8-10" in page


def test_nurse_cannot_open_physician_only_pages(client, nurse):
    client.force_login(nurse)
    assert client.get(reverse("reviews:appeals")).status_code == 403
    assert client.get(reverse("reviews:peer_to_peer")).status_code == 403


def test_provider_sees_the_decision_with_reason_reviewer_and_pinned_criteria_text(client, appeal, provider, provider2):
    case = appeal.case
    client.force_login(provider)

    html = client.get(reverse("reviews:decision", args=[case.pk])).content.decode()

    assert "Only 4 weeks of PT." in html and "Physician Tester" in html
    decision = Decision.objects.get(case=case)
    version = decision.criteria.get()
    assert version.text in html and version.indications[0] in html
    client.force_login(provider2)
    assert client.get(reverse("reviews:decision", args=[case.pk])).status_code == 404


def test_physician_revises_a_denial_on_the_page_after_a_talk_that_changed_it(client, appeal, provider, physician):
    from reviews.models import PeerToPeerAttempt
    from reviews.services.peer_to_peer import peer_to_peer_complete

    case = appeal.case
    # While the appeal is open an independent physician owns the decision: no revision.
    Appeal.objects.filter(pk=appeal.pk).update(status=Appeal.Status.WITHDRAWN)
    talk = PeerToPeerRequest.objects.create(case=case, requested_by=provider, requested_at=timezone.now(), phone="1")
    PeerToPeerAttempt.objects.create(peer_to_peer=talk, at=timezone.now(), by=physician, result="reached")
    peer_to_peer_complete(peer_to_peer_id=talk.pk, actor=physician, outcome="changed")
    client.force_login(physician)

    page = client.get(reverse("reviews:case", args=[case.pk])).content.decode()
    response = client.post(
        reverse("reviews:revise", args=[case.pk]),
        {"outcome": "approved", "reason": "14 weeks of PT described on the call.", "password": PASSWORD},
    )

    assert "form-revise" in page and response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.APPROVED


def test_no_revise_form_while_an_appeal_is_open(client, appeal, provider, physician):
    from reviews.models import PeerToPeerAttempt
    from reviews.services.peer_to_peer import peer_to_peer_complete

    talk = PeerToPeerRequest.objects.create(
        case=appeal.case, requested_by=provider, requested_at=timezone.now(), phone="1"
    )
    PeerToPeerAttempt.objects.create(peer_to_peer=talk, at=timezone.now(), by=physician, result="reached")
    peer_to_peer_complete(peer_to_peer_id=talk.pk, actor=physician, outcome="changed")
    client.force_login(physician)

    page = client.get(reverse("reviews:case", args=[appeal.case.pk])).content.decode()

    assert "form-revise" not in page


def test_nurse_revise_post_is_403(client, appeal, nurse):
    client.force_login(nurse)
    before = written(appeal.case)

    response = client.post(reverse("reviews:revise", args=[appeal.case.pk]), {"outcome": "approved"})

    assert response.status_code == 403 and written(appeal.case) == before


def test_physician_sees_the_nurses_routing_note_at_the_top(client, make_case, nurse, physician):
    """Issue 22, item 4: not only in the timeline."""
    case = make_case()
    case_route_to_physician(case_id=case.pk, actor=nurse, note="Only 4 weeks of PT; criteria ask for 12.")
    client.force_login(physician)

    html = client.get(reverse("reviews:case", args=[case.pk])).content.decode()

    note = html[html.index('id="routing-note"') :]
    assert html.index('id="routing-note"') < html.index('id="member"')
    assert "Only 4 weeks of PT; criteria ask for 12." in note[: note.index("</div>")]
    assert nurse.display_name in note[: note.index("</div>")]


def test_route_and_reassign_lists_say_who_holds_a_license_in_the_members_state(
    client, make_case, nurse, physician, physician_ca
):
    """Issue 22, item 5 (the case's member lives in Maryland), with each reviewer's open load."""
    case = make_case()
    from reviews.services.assignment import case_assign

    case_assign(case_id=make_case().pk, actor=nurse, assignee=physician)
    client.force_login(nurse)

    html = client.get(reverse("reviews:case", args=[case.pk])).content.decode()

    state = case.member.state
    route = html[html.index('id="form-route"') :]
    route = route[: route.index("</form>")]
    assert f"{physician.display_name} (licensed in {state}, 1 open)" in route
    assert f"{physician_ca.display_name} (no {state} license, 0 open)" in route
    assert f"{physician.display_name} (licensed in {state}, 1 open)" in html[html.index('id="form-reassign"') :]
    queue = client.get(reverse("reviews:nurse_queue")).content.decode()
    assert f"{nurse.display_name} (0 open)" in queue  # the assignee filter


def test_queue_rows_show_the_service_codes_and_descriptions(client, make_case, nurse):
    """Issue 22, item 5."""
    day = timezone.localdate() + timedelta(days=9)
    line = {"code_system": "CPT", "code": "27447", "description": "Total knee replacement", "units": 1}
    case = make_case(lines=[{**line, "start_date": day, "end_date": day}])
    client.force_login(nurse)

    html = client.get(reverse("reviews:nurse_queue")).content.decode()

    row = html[html.index(case.reference) :]
    assert "CPT 27447 · Total knee replacement" in row[: row.index("</tr>")]


def test_queue_rows_show_each_cases_own_lines_in_line_order(client, make_case, nurse):
    # The lines come with the page's rows (issue #13): each case its own, by line number,
    # a line without a description without the dot, a case without lines none.
    day = timezone.localdate() + timedelta(days=9)
    dates = {"units": 1, "start_date": day, "end_date": day}
    knee = make_case(
        lines=[
            {"code_system": "CPT", "code": "27447", "description": "Total knee replacement", **dates},
            {"code_system": "HCPCS", "code": "E0114", "description": "", **dates},
        ]
    )
    hip = make_case(lines=[{"code_system": "CPT", "code": "27130", "description": "Total hip", **dates}])
    bare = make_case(lines=[{"code_system": "CPT", "code": "99213", "description": "Visit", **dates}])
    bare.lines.all().delete()
    client.force_login(nurse)

    html = client.get(reverse("reviews:nurse_queue")).content.decode()

    def row(case) -> str:
        start = html.index(case.reference)
        return html[start : html.index("</tr>", start)]

    knee_lines = (
        '<span class="muted">CPT 27447 · Total knee replacement</span><br><span class="muted">HCPCS E0114</span>'
    )
    assert knee_lines in row(knee)
    assert "27130" not in row(knee) and "27447" not in row(hip) and "CPT 27130 · Total hip" in row(hip)
    assert "99213" not in html and '<br><span class="muted">CPT' not in row(bare)


def test_save_and_next_opens_the_next_case_of_the_queue(client, make_case, nurse, nurse2):
    """Issue 22, item 5: pend one, land on the most urgent case that is the nurse's or nobody's."""
    from cases.models import AuthorizationRequest
    from reviews.services.assignment import case_assign

    now = timezone.now()
    done, held, following, later = make_case(), make_case(), make_case(), make_case()
    for case, hours in ((done, 1), (held, 2), (following, 3), (later, 4)):
        AuthorizationRequest.objects.filter(pk=case.pk).update(decision_due_at=now + timedelta(hours=hours))
    case_assign(case_id=held.pk, actor=nurse2)
    client.force_login(nurse)

    response = client.post(
        reverse("reviews:pend", args=[done.pk]),
        {"requested_information": "Clinic notes.", "respond_by": (timezone.localdate() + timedelta(days=5)).isoformat(),
         "reason_code": "PD01", "and_next": "1"},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == reverse("reviews:case", args=[following.pk])
