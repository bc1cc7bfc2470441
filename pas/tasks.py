"""Celery tasks for PAS notifications: ids in, re-read, one service call, safe to run twice
(a notification row is claimed under a lock and marked sent in the same transaction)."""

from celery import shared_task
from django.conf import settings

from um_portal.retry import MAX_RETRIES, retry_policy

from .delivery import DeliveryFailed

# The one policy (um_portal.retry), and a refused or unreachable endpoint is transient too.
_RETRY = retry_policy(also=(DeliveryFailed,))


@shared_task(bind=True, **_RETRY)
def pas_notification_send(self, notification_id: int) -> bool:
    from .subscriptions import notification_send

    return notification_send(
        notification_id=notification_id,
        base=settings.PAS_BASE_URL,
        final_attempt=self.request.retries >= MAX_RETRIES,
    )


@shared_task(**retry_policy())
def pas_heartbeats() -> int:
    from .subscriptions import heartbeats_due

    due = heartbeats_due()
    for notification_id in due:
        pas_notification_send.delay(notification_id)
    return len(due)
