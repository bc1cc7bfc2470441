"""More than one node: two gunicorn web nodes on different ports, two Celery workers, one
beat (then a second beat started by mistake), one PostgreSQL database and one Redis, all
started by the test (conftest.stack).

A load of submits (each sent to both nodes at once with the same Idempotency-Key),
decisions and letters spread over both nodes ends with every case, letter and alert exactly
once; sessions, throttles and the signing lockout are shared; a document uploaded through
one node downloads through the other; a second beat doubles nothing.
"""

import hashlib
import re
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests

from .stack import LOGS, PASSWORD, TOTP_KEYS, otp, real_today, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SUBMITS = 16
APPROVE, DENY = 6, 4  # the rest stays open for the deadline sweep
MEMBERS = [("M100001", "1961-04-02"), ("M100002", "1948-09-15"), ("M100003", "1990-01-20"), ("M100008", "1955-02-28")]
SURGEON_NPI, ORTHO_NPI = "1234567893", "1122334455"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def cluster(stack):
    """The stack grown to two web nodes and two workers (still one beat)."""
    while len(stack.webs) < 2:
        stack.add_web()
    if "worker2" not in stack.processes:
        stack.add_worker("worker2")
    for url in stack.webs:
        stack.ready(url)
    return stack


@pytest.fixture(scope="module")
def tokens(cluster):
    """API tokens, asked for once (the token endpoint counts against the anonymous rate)."""
    a, b = cluster.webs[:2]
    return {"provider": _token(a, "provider"), "nurse": _token(b, "nurse"), "physician": _token(a, "physician")}


def _token(base: str, username: str) -> dict:
    body = {"username": username, "password": PASSWORD}
    if username in TOTP_KEYS:
        body["otp"] = otp(username)
    response = requests.post(f"{base}/api/v1/auth/token/", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Token {response.json()['token']}"}


def _payload(i: int) -> dict:
    number, dob = MEMBERS[i % len(MEMBERS)]
    start = (real_today() + timedelta(days=20 + i)).isoformat()
    return {
        "member_number": number,
        "member_date_of_birth": dob,
        "requesting_provider_npi": SURGEON_NPI,
        "servicing_provider_npi": ORTHO_NPI,
        "service_category": "outpatient_procedure",
        "review_type": "prospective",
        "urgency": "standard",
        "expedited_reason": "",
        "diagnosis_codes": ["M17.11"],
        "lines": [{"code_system": "CPT", "code": "27447", "units": 1, "start_date": start, "end_date": start}],
        "clinical_summary": f"Synthetic load case {i}.",
        "place_of_service": "22",
    }


def _post(url: str, headers: dict, **kwargs) -> requests.Response:
    return requests.post(url, headers=headers, timeout=60, **kwargs)


def test_load_over_two_nodes_ends_with_every_case_letter_and_alert_exactly_once(cluster, tokens):
    a, b = cluster.webs[:2]
    provider, nurse = tokens["provider"], tokens["nurse"]
    before = cluster.sql("SELECT count(*) FROM cases_authorizationrequest")[0][0]

    # Submits: each one sent to both nodes at the same time with the same key.
    keys = [str(uuid.uuid4()) for _ in range(SUBMITS)]
    jobs = [(node, i) for i in range(SUBMITS) for node in (a, b)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(
                lambda job: _post(
                    f"{job[0]}/api/v1/authorizations/",
                    {**provider, "Idempotency-Key": keys[job[1]]},
                    json=_payload(job[1]),
                ),
                jobs,
            )
        )
    assert all(r.status_code == 201 for r in answers), [r.text for r in answers if r.status_code != 201][:3]
    elapsed = time.monotonic() - started
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / "throughput.txt").write_text(
        f"{len(jobs)} submit requests over 2 web nodes (WEB_CONCURRENCY=2 each) in {elapsed:.1f} s: "
        f"{len(jobs) / elapsed:.1f} requests/s\n"
    )
    ids_by_key = [{answers[2 * i].json()["id"], answers[2 * i + 1].json()["id"]} for i in range(SUBMITS)]
    assert all(len(ids) == 1 for ids in ids_by_key), "one key, one case, whichever node answered"
    case_ids = [ids.pop() for ids in ids_by_key]
    assert cluster.sql("SELECT count(*) FROM cases_authorizationrequest")[0][0] == before + SUBMITS

    # Decisions, alternating nodes: approvals and benefit denials by the nurse.
    def decide(i: int) -> requests.Response:
        node, case_id = (a, b)[i % 2], case_ids[i]
        claimed = _post(f"{node}/api/v1/authorizations/{case_id}/assign/", nurse, json={"username": None})
        assert claimed.status_code == 200, claimed.text
        if i < APPROVE:
            return _post(f"{node}/api/v1/authorizations/{case_id}/approve/", nurse, json={"rationale": "Meets policy."})
        return _post(
            f"{node}/api/v1/authorizations/{case_id}/deny/",
            nurse,
            json={"basis": "benefit", "reason": "Not a covered benefit under this plan.", "reason_code": "BN01"},
        )

    with ThreadPoolExecutor(max_workers=4) as pool:
        decided = list(pool.map(decide, range(APPROVE + DENY)))
    assert [r.status_code for r in decided] == [200] * (APPROVE + DENY), [r.text for r in decided][:2]
    decided_ids = case_ids[: APPROVE + DENY]

    # Letters: the two workers generate and issue them from the decision events.
    def letters_settled():
        # Settled once every decided case has letters and all of them are issued (under load
        # the workers may not have reached the last decisions' events yet).
        rows = cluster.sql(
            "SELECT status, count(*), count(DISTINCT case_id) FROM notifications_letter "
            "WHERE case_id::text = ANY(%s) GROUP BY status",
            (decided_ids,),
        )
        counts = {status: n for status, n, _ in rows}
        cases_with_letters = sum(n_cases for _, _, n_cases in rows)
        if counts and set(counts) == {"issued"} and cases_with_letters == len(decided_ids):
            return counts
        return None

    wait_for("letters issued", letters_settled, timeout=300, interval=2)
    per_case = Counter(
        case_id
        for (case_id,) in cluster.sql(
            "SELECT case_id::text FROM notifications_letter WHERE case_id::text = ANY(%s)", (decided_ids,)
        )
    )
    assert set(per_case) == set(decided_ids), "every decided case has its letters"
    duplicates = cluster.sql(
        "SELECT case_id, kind, recipient, count(*) FROM notifications_letter WHERE case_id::text = ANY(%s) "
        "GROUP BY case_id, kind, recipient HAVING count(*) > 1",
        (decided_ids,),
    )
    assert duplicates == []
    issued_events = cluster.sql(
        "SELECT data->>'letter_id', count(*) FROM cases_caseevent WHERE kind = 'letter_issued' "
        "AND case_id::text = ANY(%s) GROUP BY 1",
        (decided_ids,),
    )
    assert len(issued_events) == sum(per_case.values()) and {n for _, n in issued_events} == {1}
    # Each letter's PDF is in the shared file store, readable through the other node.
    letter_id = cluster.sql(
        "SELECT id::text FROM notifications_letter WHERE case_id::text = %s LIMIT 1", (decided_ids[0],)
    )[0][0]
    for node in (a, b):
        pdf = requests.get(f"{node}/api/v1/letters/{letter_id}/pdf", headers=nurse, timeout=30)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # Alerts, with a second beat started by mistake: once both beats send the deadline
    # sweep, the open cases are made old (received ten days ago, due in an hour), so every
    # alert threshold is due at once; each must be raised once.
    cluster.add_beat("beat2")

    def sweeps_sent() -> dict:
        return {
            name: cluster.log(name).read_text().count("Sending due task deadline-sweep") for name in ("beat1", "beat2")
        }

    wait_for("beat2 sends sweeps", lambda: sweeps_sent()["beat2"] >= 1, timeout=120, interval=1)
    open_ids = case_ids[APPROVE + DENY :]
    cluster.sql(
        "UPDATE cases_authorizationrequest SET received_at = now() - interval '10 days', "
        "decision_due_at = now() + interval '1 hour', alert_next_at = now() - interval '1 minute' "
        "WHERE id::text = ANY(%s) RETURNING id",
        (open_ids,),
    )
    sent_before = sweeps_sent()

    def alerts_raised():
        rows = cluster.sql(
            "SELECT count(*) FROM cases_authorizationrequest WHERE id::text = ANY(%s) AND alert_next_at <= now()",
            (open_ids,),
        )
        return rows[0][0] == 0

    wait_for("alerts raised", alerts_raised, timeout=120, interval=1)
    # Both beats go on sending sweeps meanwhile: a few more rounds from each.
    wait_for(
        "more sweeps from both beats",
        lambda: all(sweeps_sent()[name] >= sent_before[name] + 3 for name in sent_before),
        timeout=120,
        interval=1,
    )
    alerts = cluster.sql(
        "SELECT case_id::text, threshold, count(*) FROM reviews_casealert WHERE case_id::text = ANY(%s) GROUP BY 1, 2",
        (open_ids,),
    )
    assert {case_id for case_id, *_ in alerts} == set(open_ids)
    assert {n for *_, n in alerts} == {1}
    alert_events = cluster.sql(
        "SELECT case_id, new_value, count(*) FROM cases_caseevent WHERE kind = 'alert_raised' "
        "AND case_id::text = ANY(%s) GROUP BY 1, 2",
        (open_ids,),
    )
    assert len(alert_events) == len(alerts) and {n for *_, n in alert_events} == {1}
    notified = cluster.sql(
        "SELECT user_id, case_id, message, count(*) FROM notifications_notification WHERE case_id::text = ANY(%s) "
        "GROUP BY 1, 2, 3",
        (open_ids,),
    )
    assert notified and {n for *_, n in notified} == {1}, "one notification per person, case and alert"
    cluster.stop("beat2")


def _portal_login(session: requests.Session, base: str, username: str) -> None:
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        timeout=30,
    )
    assert answer.status_code == 200 and "/accounts/login/" not in answer.url, answer.url


def test_a_session_opened_on_one_node_is_valid_on_the_other_and_ends_on_both(cluster):
    a, b = cluster.webs[:2]
    session = requests.Session()
    _portal_login(session, a, "provider")

    home = session.get(f"{b}/", timeout=30)
    assert home.status_code == 200 and home.url == f"{b}/" and "New request" in home.text

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text).group(1)
    session.post(f"{b}/accounts/logout/", data={"csrfmiddlewaretoken": token}, timeout=30)
    assert "/accounts/login/" in session.get(f"{a}/", timeout=30).url


def test_throttles_count_across_both_nodes(cluster, tokens):
    a, b = cluster.webs[:2]
    # The anonymous API rate in this stack is 12 a minute, counted per client address.
    answers = [
        requests.get(f"{node}/api/v1/contact/route/", params={"topic": "x"}, timeout=30).status_code
        for node in (a, b) * 15
    ]
    throttled = [i for i, code in enumerate(answers) if code == 429]
    assert throttled, answers
    assert all(code == 429 for code in answers[throttled[0] :]), answers
    assert len(answers) - len(throttled) <= 12, f"a per-process count lets more through: {answers}"
    assert {i % 2 for i in throttled} == {0, 1}, "both nodes refuse"


def test_signing_lockout_counts_failures_on_both_nodes(cluster, tokens):
    a, b = cluster.webs[:2]
    provider, physician = tokens["provider"], tokens["physician"]
    created = _post(f"{a}/api/v1/authorizations/", provider, json=_payload(99))
    assert created.status_code == 201, created.text
    case_id = created.json()["id"]
    start = created.json()["lines"][0]["start_date"]
    criteria = requests.get(
        f"{a}/api/v1/criteria/", params={"code": "27447", "on": start}, headers=physician, timeout=30
    ).json()
    criteria_ids = [item["id"] for item in (criteria["results"] if isinstance(criteria, dict) else criteria)][:1]
    assert criteria_ids, criteria

    def deny(node, password):
        return _post(
            f"{node}/api/v1/authorizations/{case_id}/deny/",
            physician,
            json={
                "basis": "medical_necessity",
                "reason": "Conservative care not yet tried.",
                "reason_code": "MN01",
                "criteria_ids": criteria_ids,
                "password": password,
            },
        )

    codes = [deny(node, "wrong-password").json()["code"] for node in (a, b, a, b, a)]
    assert codes == ["signature_invalid"] * 5
    for node in (a, b):
        locked = deny(node, PASSWORD)
        assert locked.status_code == 403 and locked.json()["code"] == "signature_locked", locked.text
    assert (
        cluster.sql("SELECT status FROM cases_authorizationrequest WHERE id::text = %s", (case_id,))[0][0] != "denied"
    )


def test_a_document_uploaded_through_one_node_downloads_through_the_other(cluster, tokens):
    a, b = cluster.webs[:2]
    provider = tokens["provider"]
    case_id = _post(f"{a}/api/v1/authorizations/", provider, json=_payload(7)).json()["id"]

    uploaded = _post(
        f"{a}/api/v1/authorizations/{case_id}/attachments/",
        provider,
        files={"file": ("pt-notes.pdf", PDF, "application/pdf")},
        data={"description": "PT notes"},
    )
    assert uploaded.status_code == 201, uploaded.text
    attachment_id = uploaded.json()["id"]

    downloaded = requests.get(
        f"{b}/api/v1/authorizations/{case_id}/attachments/{attachment_id}/", headers=provider, timeout=30
    )
    assert downloaded.status_code == 200 and downloaded.content == PDF
    assert hashlib.sha256(downloaded.content).hexdigest() == uploaded.json().get(
        "sha256", hashlib.sha256(PDF).hexdigest()
    )


def test_readiness_names_the_worker_and_then_beat_when_they_stop(cluster):
    """Last in this module: it stops processes of the shared stack."""
    a, b = cluster.webs[:2]
    assert requests.get(f"{b}/readyz", timeout=30).status_code == 200

    cluster.stop("worker1")
    cluster.stop("worker2")

    def down(node, part):
        answer = requests.get(f"{node}/readyz", timeout=30)
        return answer.status_code == 503 and part in answer.json()["down"] and answer.json()

    body = wait_for("worker reported down", lambda: down(a, "worker"), timeout=90, interval=2)
    assert body["checks"]["worker"]["error"].startswith("last seen")
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]

    cluster.stop("beat1")
    body = wait_for("beat reported down", lambda: down(b, "beat"), timeout=90, interval=2)
    assert body["down"] == ["worker", "beat"]
