"""Celery tasks: ids in, re-read, one service call, safe to run twice.

acks_late is on project-wide: a worker that dies mid-task has its message redelivered, and
the services roll back and re-claim cleanly.
"""

import logging
from datetime import datetime

from celery import shared_task

from um_portal.exceptions import DomainError
from um_portal.retry import TRANSIENT_MAIL_ERRORS, retry_policy

log = logging.getLogger(__name__)

# Transient failures only, with back-off and a cap (um_portal.retry, the one policy).
_RETRY = retry_policy()


@shared_task(**_RETRY)
def letters_generate_for_event(event_id: int) -> int:
    from .services.letters import letters_generate_for_event as generate

    try:
        letters = generate(event_id=event_id)
    except DomainError as exc:
        log.warning("Letters for event %s not generated: %s", event_id, exc)
        return 0
    return len(letters)


@shared_task(**_RETRY)
def letter_issue_task(letter_id: str) -> str | None:
    from .services.letters import letter_issue

    letter = letter_issue(letter_id=letter_id)
    return letter.status if letter else None


@shared_task(**_RETRY)
def letter_email_send(delivery_id: int) -> bool:
    from .services.delivery import letter_email_notice_send

    return letter_email_notice_send(delivery_id=delivery_id)


@shared_task(**_RETRY)
def letters_sweep() -> dict:
    from .services.sweep import letters_sweep as sweep

    return sweep()


@shared_task(**_RETRY)
def continuation_of_care_run(agreement_id: int) -> str:
    from .services.continuation import continuation_run

    run = continuation_run(agreement_id=agreement_id)
    return run.status if run else "none"


@shared_task(**_RETRY)
def continuation_of_care_daily() -> int:
    from .services.continuation import agreements_ending_due

    agreements = agreements_ending_due()
    for agreement_id in agreements:
        continuation_of_care_run.delay(agreement_id)
    return len(agreements)


@shared_task(**_RETRY)
def provider_notices_for_event(event_id: int) -> int:
    """Tell the provider office of a request for information, a decision or a talk offered."""
    from .services.provider_notices import provider_notices_for_event as notify

    return notify(event_id=event_id)


# Alert e-mails: the database and the mail server may both hiccup.
@shared_task(**retry_policy(also=TRANSIENT_MAIL_ERRORS))
def notifications_email_send(notification_ids: list[int]) -> int:
    """E-mail each deadline-alert notification once (a claimed one is never sent twice)."""
    from .services.alerts import notification_email_send

    return sum(1 for pk in notification_ids if notification_email_send(notification_id=pk))


@shared_task(**_RETRY)
def deadline_sweep(now: str | None = None) -> dict:
    """Raise every deadline alert that is due (beat: every minute). `now` (ISO 8601 with
    offset) is for tests and checks only. A full run asks for another one at once so a
    backlog after an outage drains without waiting for the next minute."""
    from .services.deadline_sweep import deadline_sweep_run

    result = deadline_sweep_run(now=datetime.fromisoformat(now) if now else None)
    if result.more:
        deadline_sweep.delay(now)
    return result.as_dict()


@shared_task(**_RETRY)
def fax_deadline_sweep(now: str | None = None) -> dict:
    """Raise every deadline alert due on unkeyed faxes (beat: every minute), as for cases."""
    from .services.fax_deadline_sweep import fax_deadline_sweep_run

    result = fax_deadline_sweep_run(now=datetime.fromisoformat(now) if now else None)
    if result.more:
        fax_deadline_sweep.delay(now)
    return result.as_dict()


@shared_task(**_RETRY)
def gold_card_letter(event_id: int) -> str:
    from .services.gold_card_letters import gold_card_letter_issue

    try:
        return str(gold_card_letter_issue(event_id=event_id).pk)
    except DomainError as exc:
        log.warning("Gold-card letter for event %s not written: %s", event_id, exc)
        return ""


def gold_card_letter_enqueue(event_id: int) -> None:
    """Subscriber to gold-card events (run on commit): a lost message is caught up by
    `gold_card_letters_catch_up` (beat)."""
    from kombu.exceptions import OperationalError as BrokerError

    try:
        gold_card_letter.delay(event_id)
    except BrokerError:
        log.exception("Could not enqueue the gold-card letter for event %s.", event_id)


@shared_task(**_RETRY)
def gold_card_letters_catch_up() -> int:
    """Safety net: write the letter of every gold-card event that has none issued yet."""
    from automation.models import GoldCardEvent

    from .services.gold_card_letters import gold_card_letter_issue

    pending = GoldCardEvent.objects.filter(letter__issued_at__isnull=True).values_list("pk", flat=True)[:200]
    for event_id in pending:
        gold_card_letter_issue(event_id=event_id)
    return len(pending)


@shared_task(**_RETRY)
def irr_yearly_reminder() -> int:
    """Daily: remind the UM administrators when no reliability exercise was built in a year."""
    from .services.irr_reminder import irr_reminder_send

    return irr_reminder_send()


@shared_task(**_RETRY)
def authorization_expiry_reminders() -> int:
    """Daily: remind offices once, 14 days before an authorization ends (issue 19, item 1)."""
    from .services.authorization_reminders import authorization_reminders_send

    return authorization_reminders_send()
