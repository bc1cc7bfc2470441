"""PAS notifications by the R4 Subscriptions backport (the guide's PASSubscriptionTopic):
a provider organization subscribes a rest-hook endpoint; a handshake proves it; when one of
the organization's requests is decided, one notification Bundle per subscription and
decision event is sent by a Celery task, retried with back-off; heartbeats keep quiet
subscriptions alive.

Filtered by the subscriber's organization: `orgIdentifier` (the topic's only filter) must be
the caller's own organization NPI, and only its requests (requesting or servicing) notify."""

import ipaddress
import logging
import socket
import uuid
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from cases.models import CaseEvent, ProviderOrganization
from um_portal.enqueue import task_send

from .delivery import DeliveryFailed
from .models import PasNotification, PasSubmission, PasSubscription
from .outcomes import FhirError
from .task_names import PAS_NOTIFICATION_SEND

log = logging.getLogger(__name__)

TOPIC = "http://hl7.org/fhir/us/davinci-pas/SubscriptionTopic/PASSubscriptionTopic"
BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
EXT_FILTER = BACKPORT + "backport-filter-criteria"
EXT_CONTENT = BACKPORT + "backport-payload-content"
EXT_HEARTBEAT = BACKPORT + "backport-heartbeat-period"
EXT_TIMEOUT = BACKPORT + "backport-timeout"
# A decision, and an appeal decision that may change it: the answer an EHR waits for.
NOTIFY_KINDS = frozenset({CaseEvent.Kind.DECISION_RECORDED, CaseEvent.Kind.APPEAL_DECIDED})
# A subscriber's endpoint has this long to answer (the backport's default timeout is
# the server's choice); a slow endpoint is retried rather than holding a worker.
SEND_TIMEOUT_SECONDS = 10


def endpoint_refusal(endpoint: str) -> str:
    """Why the server will not post to `endpoint`, or "". A subscriber names the address the
    server then calls: loopback, private, link-local (cloud metadata) and other internal
    addresses are refused, so no one can aim the worker at the plan's own network, unless
    PAS_SUBSCRIPTION_PRIVATE_ENDPOINTS allows them (a test receiver, a lab). Checked when
    subscribing and again before each send (the name may resolve elsewhere later)."""
    if settings.PAS_SUBSCRIPTION_PRIVATE_ENDPOINTS:
        return ""
    host = urlparse(endpoint).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (OSError, UnicodeError):
        return f"channel.endpoint's host {host} does not resolve."
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            return f"channel.endpoint resolves to {ip}, an internal address: give a public endpoint."
    return ""


def _fail(message: str, *, code: str = "value", expression: str = "Subscription", status: int = 400):
    raise FhirError(message, code=code, expression=expression, status=status)


def _extension(element: dict | None, url: str):
    for extension in (element or {}).get("extension") or []:
        if extension.get("url") == url:
            return extension
    return None


def subscription_create_check(*, user) -> None:
    """Only a provider organization's users subscribe (checked before the body is read)."""
    if getattr(user, "organization_id", None) is None:
        raise FhirError(
            "Only a provider organization's users subscribe to PAS notifications.", code="forbidden", status=403
        )


def subscription_create(*, user, resource) -> PasSubscription:
    """A Subscription resource (backport profile) from a provider office: checked, stored
    as requested, and the handshake sent once it commits."""
    subscription_create_check(user=user)
    organization_id = user.organization_id
    if not isinstance(resource, dict) or resource.get("resourceType") != "Subscription":
        _fail("Send a Subscription resource.", code="structure")
    if resource.get("criteria") != TOPIC:
        _fail(f"Unknown topic: subscribe to {TOPIC}.", code="not-supported", expression="Subscription.criteria")
    organization = ProviderOrganization.objects.get(pk=organization_id)
    filters = [
        e.get("valueString", "")
        for e in (resource.get("_criteria") or {}).get("extension") or []
        if e.get("url") == EXT_FILTER
    ]
    for criterion in filters:
        name, _, value = criterion.partition("=")
        if name.strip() != "orgIdentifier":
            _fail(
                f"Unknown filter '{name.strip()}': the PAS topic filters by orgIdentifier only.",
                expression="Subscription.criteria",
            )
        if value.strip() != organization.npi:
            _fail(
                "orgIdentifier must be your own organization's NPI: notifications are for your requests only.",
                code="forbidden",
                expression="Subscription.criteria",
                status=403,
            )
    channel = resource.get("channel") or {}
    if channel.get("type") != "rest-hook":
        _fail("Only the rest-hook channel is supported.", code="not-supported", expression="Subscription.channel.type")
    endpoint = channel.get("endpoint") or ""
    if urlparse(endpoint).scheme not in ("http", "https") or not urlparse(endpoint).netloc:
        _fail("channel.endpoint must be an http(s) URL.", code="required", expression="Subscription.channel.endpoint")
    problem = endpoint_refusal(endpoint)
    if problem:
        _fail(problem, code="business-rule", expression="Subscription.channel.endpoint")
    if channel.get("payload") not in (None, "application/fhir+json"):
        _fail(
            "Notifications are sent as application/fhir+json.",
            code="not-supported",
            expression="Subscription.channel.payload",
        )
    content = (_extension(channel.get("_payload"), EXT_CONTENT) or {}).get("valueCode", PasSubscription.Content.ID_ONLY)
    if content not in PasSubscription.Content.values:
        _fail(
            f"payload content '{content}' is not one of empty, id-only, full-resource.",
            expression="Subscription.channel.payload",
        )
    heartbeat = (_extension(channel, EXT_HEARTBEAT) or {}).get("valueUnsignedInt")
    headers = [h for h in channel.get("header") or [] if isinstance(h, str) and ":" in h and "\n" not in h]
    with transaction.atomic():
        subscription = PasSubscription.objects.create(
            organization=organization,
            created_by=user,
            reason=str(resource.get("reason") or "")[:300],
            endpoint=endpoint,
            content=content,
            headers=headers[:10],
            heartbeat_seconds=heartbeat if isinstance(heartbeat, int) and heartbeat > 0 else None,
        )
        notification = PasNotification.objects.create(subscription=subscription, kind=PasNotification.Kind.HANDSHAKE)
        _send_on_commit(notification.pk)
    return subscription


def subscription_delete(*, user, subscription: PasSubscription) -> None:
    subscription.status = PasSubscription.Status.OFF
    subscription.save(update_fields=["status"])


def subscription_resource(subscription: PasSubscription, *, base: str) -> dict:
    channel = {
        "type": "rest-hook",
        "endpoint": subscription.endpoint,
        "payload": "application/fhir+json",
        "_payload": {"extension": [{"url": EXT_CONTENT, "valueCode": subscription.content}]},
    }
    if subscription.heartbeat_seconds:
        channel["extension"] = [{"url": EXT_HEARTBEAT, "valueUnsignedInt": subscription.heartbeat_seconds}]
    resource = {
        "resourceType": "Subscription",
        "id": str(subscription.pk),
        "status": subscription.status,
        "reason": subscription.reason or "PAS notifications",
        "criteria": TOPIC,
        "_criteria": {
            "extension": [{"url": EXT_FILTER, "valueString": f"orgIdentifier={subscription.organization.npi}"}]
        },
        "channel": channel,
    }
    if subscription.error:
        resource["error"] = subscription.error
    return resource


def decision_notify(event_id: int) -> None:
    """cases.dispatch handler (on commit of a decision): one notification per active
    subscription of the case's organizations, unique per event, and its send enqueued."""
    event = CaseEvent.objects.select_related("case").filter(pk=event_id).first()
    if event is None or not PasSubmission.objects.filter(case_id=event.case_id).exists():
        return
    case = event.case
    subscriptions = PasSubscription.objects.filter(
        Q(organization_id=case.requesting_organization_id) | Q(organization_id=case.servicing_organization_id),
        status=PasSubscription.Status.ACTIVE,
    )
    for subscription in subscriptions:
        try:
            with transaction.atomic():
                PasSubscription.objects.filter(pk=subscription.pk).update(
                    events_since_start=F("events_since_start") + 1
                )
                number = PasSubscription.objects.values_list("events_since_start", flat=True).get(pk=subscription.pk)
                notification = PasNotification.objects.create(
                    subscription=subscription, kind=PasNotification.Kind.EVENT, event=event, event_number=number
                )
                _send_on_commit(notification.pk)
        except IntegrityError:
            continue  # this event was already notified to this subscription


def _send_on_commit(notification_id: int) -> None:
    from kombu.exceptions import OperationalError as BrokerError

    def enqueue():
        try:
            task_send(PAS_NOTIFICATION_SEND, notification_id)
        except BrokerError:
            log.exception("Could not enqueue PAS notification %s; the heartbeat sweep resends it.", notification_id)

    transaction.on_commit(enqueue)


def subscription_status_parameters(subscription: PasSubscription, *, base: str, kind: str = "query-status") -> dict:
    """The backport's SubscriptionStatus, as R4 Parameters."""
    status = subscription.status if subscription.status != PasSubscription.Status.REQUESTED else "active"
    return {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "subscription", "valueReference": {"reference": f"{base}/Subscription/{subscription.pk}"}},
            {"name": "topic", "valueCanonical": TOPIC},
            {"name": "status", "valueCode": status},
            {"name": "type", "valueCode": kind},
            {"name": "events-since-subscription-start", "valueString": str(subscription.events_since_start)},
        ],
    }


def notification_bundle(notification: PasNotification, *, base: str) -> dict:
    """The backport notification: a history Bundle whose first entry is the status
    Parameters (R4), then, for full-resource, the PAS response Bundle it points at."""
    from .responses import claim_response_bundle
    from .selectors import submission_for_response

    subscription = notification.subscription
    parameters = subscription_status_parameters(subscription, base=base, kind=notification.kind)["parameter"]
    entries = []
    if notification.kind == PasNotification.Kind.EVENT and subscription.content != PasSubscription.Content.EMPTY:
        submission = notification.event.case.pas_submissions.order_by("-received_at", "-pk").first()
        event_part = [
            {"name": "event-number", "valueString": str(notification.event_number)},
            {"name": "timestamp", "valueInstant": notification.event.at.isoformat()},
        ]
        if subscription.content == PasSubscription.Content.FULL_RESOURCE:
            response = claim_response_bundle(submission=submission, case=submission_for_response(submission))
            focus_url = f"urn:uuid:{response['id']}"
            entries.append({"fullUrl": focus_url, "resource": response})
            event_part.append({"name": "focus", "valueReference": {"reference": focus_url}})
        else:
            # id-only: the Claim's identifier; the subscriber asks $inquire for the answer.
            identifier = {"system": submission.identifier_system, "value": submission.identifier_value}
            event_part.append({"name": "focus", "valueReference": {"type": "ClaimResponse", "identifier": identifier}})
        parameters.append({"name": "notification-event", "part": event_part})
    status_url = f"urn:uuid:{uuid.uuid4()}"
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "history",
        "timestamp": timezone.now().isoformat(),
        "entry": [
            {
                "fullUrl": status_url,
                "resource": {"resourceType": "Parameters", "parameter": parameters},
                "request": {"method": "GET", "url": f"{base}/Subscription/{subscription.pk}/$status"},
                "response": {"status": "200"},
            },
            *entries,
        ],
    }


def notification_send(*, notification_id: int, base: str, final_attempt: bool) -> bool:
    """Send one notification, at most once: the row is locked while it is sent and marked
    sent in the same transaction. A refused or unreachable endpoint raises DeliveryFailed
    (the task retries); on the last attempt the row and the subscription are marked failed."""
    with transaction.atomic():
        notification = (
            PasNotification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription__organization", "event__case")
            .filter(pk=notification_id, sent_at=None, failed_at=None)
            .first()
        )
        if notification is None:
            return False  # sent already, given up, or being sent by another worker
        subscription = notification.subscription
        if subscription.status == PasSubscription.Status.OFF:
            return False
        body = notification_bundle(notification, base=base)
        headers = {"Content-Type": "application/fhir+json"}
        for header in subscription.headers:
            name, _, value = header.partition(":")
            headers[name.strip()] = value.strip()
        notification.attempts += 1
        failure = endpoint_refusal(subscription.endpoint)
        try:
            if not failure:
                answer = requests.post(
                    subscription.endpoint,
                    json=body,
                    headers=headers,
                    timeout=SEND_TIMEOUT_SECONDS,
                    allow_redirects=False,
                )
                failure = f"the endpoint answered {answer.status_code}" if answer.status_code >= 300 else ""
        except requests.RequestException as exc:
            failure = str(exc)[:300] or type(exc).__name__
        if failure:
            # The attempt is recorded (committed) before the task retries.
            notification.last_error = failure
            fields = ["attempts", "last_error"]
            if final_attempt:
                notification.failed_at = timezone.now()
                fields.append("failed_at")
                subscription.status, subscription.error = PasSubscription.Status.ERROR, failure
                subscription.save(update_fields=["status", "error"])
            notification.save(update_fields=fields)
        else:
            now = timezone.now()
            notification.sent_at = now
            notification.save(update_fields=["attempts", "sent_at"])
            subscription.last_sent_at = now
            fields = ["last_sent_at"]
            if subscription.status in (PasSubscription.Status.REQUESTED, PasSubscription.Status.ERROR):
                subscription.status, subscription.error = PasSubscription.Status.ACTIVE, ""
                fields += ["status", "error"]
            subscription.save(update_fields=fields)
            return True
    if not final_attempt:
        raise DeliveryFailed(failure)
    return False


def heartbeats_due() -> list[int]:
    """Heartbeat notifications for active subscriptions quiet for their heartbeat period,
    and any event notification never sent (its message lost): what the sweep enqueues."""
    now = timezone.now()
    created = []
    for subscription in PasSubscription.objects.filter(
        status=PasSubscription.Status.ACTIVE, heartbeat_seconds__isnull=False
    ):
        last = subscription.last_sent_at or subscription.created_at
        if (now - last).total_seconds() >= subscription.heartbeat_seconds:
            notification = PasNotification.objects.create(
                subscription=subscription, kind=PasNotification.Kind.HEARTBEAT
            )
            created.append(notification.pk)
    stale = now - timezone.timedelta(minutes=10)
    lost = PasNotification.objects.filter(sent_at=None, failed_at=None, created_at__lt=stale).values_list(
        "pk", flat=True
    )
    return created + list(lost[:500])
