"""Provider offices hear of what the plan did on their request (issue 22, item 2): an
in-portal notice for each of the office's users and an e-mail with no PHI (the case
reference, what happened, a respond-by date and a link to the case), for a request for
information, a decision, and a peer-to-peer talk the plan offers or schedules.

Run from a Celery task once the event's transaction has committed (subscribers.py); one
notice per user and event (a unique constraint), so a task run twice notifies once.
"""

from datetime import date

from django.db import transaction

from cases.models import CaseEvent
from reviews.models import PeerToPeerRequest
from um_portal import timefmt
from um_portal.enqueue import task_send
from um_portal.roles import Role, users_with_role

from ..models import Notification
from ..task_names import NOTIFICATIONS_EMAIL_SEND

Kind = CaseEvent.Kind
PROVIDER_NOTICE_EVENT_KINDS = frozenset(
    {Kind.INFORMATION_REQUESTED, Kind.DECISION_RECORDED, Kind.PEER_TO_PEER_UPDATED, Kind.REDIRECTION_OFFERED}
)


def _notice(event: CaseEvent) -> tuple[str, str, bool] | None:
    """(kind, message, servicing office too) for an event offices hear of, else None."""
    reference = event.case.reference
    if event.kind == Kind.INFORMATION_REQUESTED:
        respond_by = event.data.get("respond_by", "")
        try:
            respond_by = timefmt.day(date.fromisoformat(respond_by))
        except ValueError:
            pass
        return (
            Notification.Kind.INFORMATION_REQUESTED,
            f"{reference}: the plan needs more information to decide. Respond by {respond_by}.",
            False,
        )
    if event.kind == Kind.DECISION_RECORDED:
        return (
            Notification.Kind.DECISION_MADE,
            f"{reference}: the plan has decided this request. The decision and its letter are on the request.",
            True,
        )
    if event.kind == Kind.REDIRECTION_OFFERED:
        # The referring office is asked to accept or decline an in-network option (issue 20).
        return (
            Notification.Kind.REDIRECTION_PROPOSED,
            f"{reference}: the plan proposes an in-network provider for this referral. Accept or decline it "
            "on the request.",
            False,
        )
    if event.kind == Kind.PEER_TO_PEER_UPDATED:
        talk = PeerToPeerRequest.objects.filter(pk=event.data.get("peer_to_peer_id")).first()
        if talk is None:
            return None
        if event.new_value == PeerToPeerRequest.Status.REQUESTED and talk.requested_by_id == talk.physician_id:
            return (
                Notification.Kind.PEER_TO_PEER_OFFERED,
                f"{reference}: the plan's physician offers the treating provider a peer-to-peer talk before "
                "deciding. Call back or answer on the request.",
                False,
            )
        if event.new_value == PeerToPeerRequest.Status.SCHEDULED and talk.scheduled_for:
            when = timefmt.when(talk.scheduled_for)
            return (
                Notification.Kind.PEER_TO_PEER_SCHEDULED,
                f"{reference}: peer-to-peer talk scheduled for {when}.",
                False,
            )
    return None


def provider_notices_for_event(*, event_id: int) -> int:
    """Notify the office users of the requesting organization (and, for a decision, of the
    servicing one) of this event. Returns how many notices were created."""
    event = CaseEvent.objects.select_related("case").filter(pk=event_id).first()
    if event is None or event.kind not in PROVIDER_NOTICE_EVENT_KINDS:
        return 0
    notice = _notice(event)
    if notice is None:
        return 0
    kind, message, servicing_too = notice
    case = event.case
    organizations = {case.requesting_organization_id}
    if servicing_too:
        organizations.add(case.servicing_organization_id)
    users = users_with_role(Role.PROVIDER).filter(organization_id__in=organizations)
    with transaction.atomic():
        before = Notification.objects.filter(event=event).count()
        Notification.objects.bulk_create(
            [Notification(user=user, kind=kind, case=case, event=event, message=message[:300]) for user in users],
            ignore_conflicts=True,
        )
        created = Notification.objects.filter(event=event).count() - before
        to_email = list(
            Notification.objects.filter(event=event, emailed_at__isnull=True)
            .exclude(user__email="")
            .values_list("pk", flat=True)
        )
        if to_email:
            transaction.on_commit(lambda: task_send(NOTIFICATIONS_EMAIL_SEND, to_email))
    return created
