"""PAS subscriptions (R4 backport, rest-hook) against a real HTTP receiver on 127.0.0.1: the
handshake activates the subscription; a decision on the office's request sends exactly one
notification per subscription, by a real Celery worker; another office hears nothing; a
failing endpoint is retried; bad topics and criteria are OperationOutcomes."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cases.models import AuthorizationRequest, CaseEvent
from pas.models import PasNotification, PasSubscription
from pas.subscriptions import DeliveryFailed, decision_notify, notification_send
from reviews.services.decisions import case_approve

from .conftest import SUBMIT

TOPIC = "http://hl7.org/fhir/us/davinci-pas/SubscriptionTopic/PASSubscriptionTopic"
BACKPORT = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
HOMECARE = "Bundle-HomecareAuthorizationBundleExample.json"


class Receiver:
    """A real HTTP endpoint: records every POST (path, headers, JSON body); answers the
    status codes queued in `answers` (then 200)."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                receiver.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def of_type(self, kind: str, path: str | None = None) -> list[dict]:
        found = []
        for post in self.received:
            parameters = post["body"]["entry"][0]["resource"]["parameter"]
            if any(p["name"] == "type" and p["valueCode"] == kind for p in parameters):
                if path is None or post["path"] == path:
                    found.append(post)
        return found

    def wait_for(self, kind: str, count: int = 1, path: str | None = None, seconds: float = 30) -> list[dict]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if len(self.of_type(kind, path)) >= count:
                return self.of_type(kind, path)
            time.sleep(0.1)
        raise AssertionError(f"no {kind} at {path} within {seconds}s: {self.received}")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.PAS_SUBSCRIPTION_PRIVATE_ENDPOINTS = True  # the receiver listens on 127.0.0.1
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


def _subscription(endpoint: str, npi: str, content: str = "full-resource", **overrides) -> dict:
    resource = {
        "resourceType": "Subscription",
        "status": "requested",
        "reason": "Claim responses for my office.",
        "criteria": TOPIC,
        "_criteria": {
            "extension": [{"url": BACKPORT + "backport-filter-criteria", "valueString": f"orgIdentifier={npi}"}]
        },
        "channel": {
            "type": "rest-hook",
            "endpoint": endpoint,
            "payload": "application/fhir+json",
            "_payload": {"extension": [{"url": BACKPORT + "backport-payload-content", "valueCode": content}]},
            "header": ["Authorization: Bearer receiver-secret"],
        },
    }
    resource.update(overrides)
    return resource


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_decision_notifies_the_offices_subscriber_exactly_once(
    api, celery_worker, receiver, office_user, office, mapped, nurse, provider2, imaging
):
    # Given an office subscribed with a handshake, and another office subscribed too
    created = api.as_user(office_user).post(
        "/fhir/Subscription", _subscription(receiver.url("/office"), office.npi), format="json"
    )
    assert created.status_code == 201, created.content
    other = api.as_user(provider2).post(
        "/fhir/Subscription", _subscription(receiver.url("/other"), imaging.npi, "id-only"), format="json"
    )
    assert other.status_code == 201, other.content
    receiver.wait_for("handshake", path="/office")
    receiver.wait_for("handshake", path="/other")
    subscription = PasSubscription.objects.get(organization=office)
    deadline = time.monotonic() + 10
    while subscription.status != "active" and time.monotonic() < deadline:
        time.sleep(0.1)
        subscription.refresh_from_db()
    assert subscription.status == "active"
    assert api.as_user(office_user).get(f"/fhir/Subscription/{subscription.pk}").json()["status"] == "active"
    # The status operation the notifications name answers, with the same status.
    status_url = receiver.of_type("handshake", "/office")[0]["body"]["entry"][0]["request"]["url"]
    assert status_url.endswith(f"/Subscription/{subscription.pk}/$status")
    found = api.as_user(office_user).get("/fhir/" + status_url.split("/fhir/", 1)[1]).json()
    assert {p["name"]: p for p in found["entry"][0]["resource"]["parameter"]}["status"]["valueCode"] == "active"

    # When the office's request is decided
    assert api.as_user(office_user).post(SUBMIT, mapped(HOMECARE), format="json").status_code == 201
    case = AuthorizationRequest.objects.get()
    case_approve(case_id=case.pk, actor=nurse)

    # Then one notification reaches the office, with the ClaimResponse, and none the other office
    (post,) = receiver.wait_for("event-notification", path="/office")
    assert post["headers"]["Authorization"] == "Bearer receiver-secret"
    bundle = post["body"]
    assert bundle["type"] == "history"
    status = {p["name"]: p for p in bundle["entry"][0]["resource"]["parameter"]}
    assert status["topic"]["valueCanonical"] == TOPIC
    event = {p["name"]: p for p in status["notification-event"]["part"]}
    assert event["event-number"]["valueString"] == "1"
    focus = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}[event["focus"]["valueReference"]["reference"]]
    claim_response = focus["entry"][0]["resource"]
    assert claim_response["preAuthRef"] == case.reference

    # And once only: the dispatcher and the task run again change nothing
    decision_event = CaseEvent.objects.get(case=case, kind="decision_recorded")
    decision_notify(decision_event.pk)
    (notification,) = PasNotification.objects.filter(kind="event-notification")
    assert (
        notification_send(notification_id=notification.pk, base="http://testserver/fhir", final_attempt=False) is False
    )
    time.sleep(1)
    assert len(receiver.of_type("event-notification", path="/office")) == 1
    assert receiver.of_type("event-notification", path="/other") == []


@pytest.mark.django_db
def test_a_failing_endpoint_is_retried_then_the_subscription_marked_in_error(receiver, office_user, office):
    subscription = PasSubscription.objects.create(
        organization=office, created_by=office_user, endpoint=receiver.url("/flaky"), status="active"
    )
    notification = PasNotification.objects.create(subscription=subscription, kind="heartbeat")
    receiver.answers = [503, 500]

    with pytest.raises(DeliveryFailed, match="503"):
        notification_send(notification_id=notification.pk, base="http://testserver/fhir", final_attempt=False)
    assert (
        notification_send(notification_id=notification.pk, base="http://testserver/fhir", final_attempt=True) is False
    )

    notification.refresh_from_db()
    subscription.refresh_from_db()
    assert notification.attempts == 2 and notification.failed_at is not None and notification.sent_at is None
    assert subscription.status == "error" and "500" in subscription.error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"criteria": "http://example.org/SubscriptionTopic/other"}, 400, "not-supported"),
        (
            {"_criteria": {"extension": [{"url": BACKPORT + "backport-filter-criteria", "valueString": "patient=1"}]}},
            400,
            "value",
        ),
        (
            {
                "_criteria": {
                    "extension": [
                        {"url": BACKPORT + "backport-filter-criteria", "valueString": "orgIdentifier=1234567893"}
                    ]
                }
            },
            403,
            "forbidden",
        ),
        ({"channel": {"type": "email", "endpoint": "mailto:x@example.org"}}, 400, "not-supported"),
        ({"resourceType": "Patient"}, 400, "structure"),
    ],
)
def test_bad_topic_criteria_or_channel_is_an_operation_outcome_and_nothing_written(
    api, office_user, office, receiver, change, status, code
):
    resource = {**_subscription(receiver.url("/x"), office.npi), **change}

    response = api.as_user(office_user).post("/fhir/Subscription", resource, format="json")

    assert response.status_code == status, response.content
    assert response.json()["issue"][0]["code"] == code
    assert PasSubscription.objects.count() == 0 and receiver.received == []


def test_the_task_name_the_service_enqueues_is_the_registered_task():
    from pas import task_names, tasks

    assert tasks.pas_notification_send.name == task_names.PAS_NOTIFICATION_SEND


@pytest.mark.django_db
def test_subscriptions_are_the_offices_own_and_delete_turns_them_off(api, office_user, office, provider2):
    subscription = PasSubscription.objects.create(
        organization=office, created_by=office_user, endpoint="http://127.0.0.1:9/hook", status="active"
    )

    assert api.as_user(provider2).get(f"/fhir/Subscription/{subscription.pk}").status_code == 404
    assert api.as_user(provider2).delete(f"/fhir/Subscription/{subscription.pk}").status_code == 404
    assert api.as_user(office_user).get("/fhir/Subscription").json()["total"] == 1

    assert api.as_user(office_user).delete(f"/fhir/Subscription/{subscription.pk}").status_code == 204
    subscription.refresh_from_db()
    assert subscription.status == "off"
    assert api.as_user(office_user).get("/fhir/Subscription").json()["total"] == 0


@pytest.mark.django_db
def test_an_appeal_decision_notifies_too_once_and_only_the_cases_organization(
    api, office_user, office, mapped, provider2, imaging
):
    from cases import dispatch

    assert "appeal_decided" in next(s for s in dispatch.subscriptions() if s.name == "pas.subscriptions").kinds
    mine = PasSubscription.objects.create(
        organization=office, created_by=office_user, endpoint="http://127.0.0.1:9/a", status="active"
    )
    PasSubscription.objects.create(
        organization=imaging, created_by=provider2, endpoint="http://127.0.0.1:9/b", status="active"
    )
    assert api.as_user(office_user).post(SUBMIT, mapped(HOMECARE), format="json").status_code == 201
    case = AuthorizationRequest.objects.get()
    event = CaseEvent.objects.create(case=case, kind="appeal_decided", new_value="overturned")

    decision_notify(event.pk)
    decision_notify(event.pk)

    (notification,) = PasNotification.objects.filter(kind="event-notification")
    assert notification.subscription == mine and notification.event_number == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "endpoint",
    ["http://127.0.0.1:8000/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest", "http://[::1]/x"],
)
def test_internal_endpoints_are_refused(api, office_user, office, settings, endpoint):
    settings.PAS_SUBSCRIPTION_PRIVATE_ENDPOINTS = False

    response = api.as_user(office_user).post("/fhir/Subscription", _subscription(endpoint, office.npi), format="json")

    assert response.status_code == 400
    assert "internal address" in response.json()["issue"][0]["diagnostics"]
    assert PasSubscription.objects.count() == 0


@pytest.mark.django_db
def test_a_subscription_whose_endpoint_became_internal_is_not_posted_to(office_user, office, settings, receiver):
    subscription = PasSubscription.objects.create(
        organization=office, created_by=office_user, endpoint=receiver.url("/later"), status="active"
    )
    notification = PasNotification.objects.create(subscription=subscription, kind="heartbeat")
    settings.PAS_SUBSCRIPTION_PRIVATE_ENDPOINTS = False

    notification_send(notification_id=notification.pk, base="http://testserver/fhir", final_attempt=True)

    assert receiver.received == []
    subscription.refresh_from_db()
    assert subscription.status == "error" and "internal address" in subscription.error


@pytest.mark.django_db
def test_the_sweep_sends_heartbeats_when_due_and_resends_lost_notifications(office_user, office):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from pas.subscriptions import heartbeats_due

    quiet = PasSubscription.objects.create(
        organization=office,
        created_by=office_user,
        endpoint="http://127.0.0.1:9/a",
        status="active",
        heartbeat_seconds=60,
    )
    PasSubscription.objects.create(  # no heartbeat asked for
        organization=office, created_by=office_user, endpoint="http://127.0.0.1:9/b", status="active"
    )
    lost = PasNotification.objects.create(subscription=quiet, kind="handshake")

    assert heartbeats_due() == []  # nothing quiet for a minute, nothing lost for ten

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        due = heartbeats_due()

    heartbeat = PasNotification.objects.get(kind="heartbeat")
    assert heartbeat.subscription == quiet
    assert set(due) == {heartbeat.pk, lost.pk}
