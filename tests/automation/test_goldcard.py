"""Gold carding: boundaries (89.9 % / 90 %, 4 / 5 requests), appeal overturns count as
approved, revocation after 30 days' notice, letters exactly once, the pages."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from automation.models import GoldCardEvent, GoldCardStatus
from automation.services.goldcard import gold_cards_evaluate
from cases.models import AuthorizationRequest, CaseStatus
from notifications.models import GoldCardLetter
from notifications.services.gold_card_letters import gold_card_letter_issue
from reviews.models import Decision

pytestmark = pytest.mark.django_db


def _decided(make_case, nurse, *, approved: int, denied: int):
    """Hand-made history: decisions written directly, as reviewers' would be."""
    for index in range(approved + denied):
        case = make_case()
        outcome = "approved" if index < approved else "denied"
        Decision.objects.create(
            case=case, outcome=outcome, basis="" if outcome == "approved" else "benefit", decided_by=nurse,
            decided_at=timezone.now(),
        )  # fmt: skip
        AuthorizationRequest.objects.filter(pk=case.pk).update(status=outcome, decided_at=timezone.now())


def _status(ortho):
    return GoldCardStatus.objects.filter(organization=ortho).first()


@pytest.mark.parametrize(
    ("approved", "denied", "granted"),
    [(5, 0, True), (4, 0, False), (9, 1, True), (899, 101, False), (900, 100, True)],
)
def test_boundaries_of_count_and_rate(make_case, nurse, ortho, approved, denied, granted):
    if approved + denied > 20:
        # 89.9 % against 90 % needs 1000 decisions.
        _bulk(make_case, nurse, ortho, approved=approved, denied=denied)
    else:
        _decided(make_case, nurse, approved=approved, denied=denied)
    gold_cards_evaluate()
    status = _status(ortho)
    assert (status is not None and status.status == "granted") is granted


def _bulk(make_case, nurse, ortho, *, approved, denied):
    """Many decided cases copied from one made through the intake (bulk, for the 0.1 % boundary)."""
    template = make_case()
    now = timezone.now()
    fields = {f.attname: getattr(template, f.attname) for f in template._meta.concrete_fields if f.attname != "id"}
    cases = [
        AuthorizationRequest(
            **{
                **fields,
                "reference": f"UM-BULK-{index:06d}",
                "decided_at": now,
                "status": "approved" if index < approved else "denied",
            }
        )
        for index in range(approved + denied)
    ]
    AuthorizationRequest.objects.filter(pk=template.pk).update(status="withdrawn")
    created = AuthorizationRequest.objects.bulk_create(cases)
    Decision.objects.bulk_create(
        Decision(case=c, outcome=c.status, basis="" if c.status == "approved" else "benefit", decided_by=nurse,
                 decided_at=now)
        for c in created
    )  # fmt: skip


def test_a_denial_overturned_on_appeal_counts_as_approved(make_case, nurse, physician, ortho):
    _decided(make_case, nurse, approved=4, denied=1)
    denied = AuthorizationRequest.objects.get(status="denied")
    Decision.objects.filter(case=denied).update(is_current=False)
    Decision.objects.create(case=denied, outcome="approved", decided_by=physician, decided_at=timezone.now())
    AuthorizationRequest.objects.filter(pk=denied.pk).update(status=CaseStatus.APPROVED)

    gold_cards_evaluate()

    assert _status(ortho).status == "granted" and _status(ortho).approved == 5


def test_revocation_takes_effect_after_30_days_notice_and_letters_go_once(make_case, nurse, ortho):
    _decided(make_case, nurse, approved=5, denied=0)
    gold_cards_evaluate()
    granted = GoldCardEvent.objects.get(kind="granted")
    _decided(make_case, nurse, approved=0, denied=2)  # 5 of 7 = 71 %

    gold_cards_evaluate()
    status = _status(ortho)
    assert status.status == "revocation_noticed" and status.is_gold
    notice = GoldCardEvent.objects.get(kind="revocation_noticed")
    assert notice.effective_at == status.revocation_effective_at
    assert timedelta(days=29, hours=23) < status.revocation_effective_at - timezone.now() <= timedelta(days=30)

    with time_machine.travel(timezone.now() + timedelta(days=29)):
        gold_cards_evaluate()
        assert _status(ortho).status == "revocation_noticed"
    with time_machine.travel(timezone.now() + timedelta(days=30, minutes=1)):
        gold_cards_evaluate()
        assert _status(ortho).status == "revoked" and not _status(ortho).is_gold
    assert GoldCardEvent.objects.filter(kind="revoked").count() == 1

    for event in (granted, notice):
        gold_card_letter_issue(event_id=event.pk)
        gold_card_letter_issue(event_id=event.pk)  # a second run writes nothing new
    assert GoldCardLetter.objects.count() == 2
    letter = GoldCardLetter.objects.get(event=notice)
    assert letter.pdf.read().startswith(b"%PDF")
    assert "5 of 7" in letter.body and "30-day notice" in letter.body


def test_a_second_run_the_same_night_changes_nothing(make_case, nurse, ortho):
    _decided(make_case, nurse, approved=5, denied=0)
    gold_cards_evaluate()
    gold_cards_evaluate()
    assert GoldCardEvent.objects.count() == 1


def test_office_page_and_admin_list(client, provider, admin_user, make_case, nurse, ortho):
    _decided(make_case, nurse, approved=5, denied=0)
    gold_cards_evaluate()
    gold_card_letter_issue(event_id=GoldCardEvent.objects.get().pk)

    client.force_login(provider)
    html = client.get("/notifications/gold-card/").content.decode()
    assert "Gold-carded" in html and "5 of 5" in html and "Your gold card is granted" in html
    letter = GoldCardLetter.objects.get()
    pdf = client.get(f"/notifications/gold-card/letters/{letter.pk}/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    client.force_login(admin_user)
    assert ortho.name in client.get("/automation/gold-cards/").content.decode()
