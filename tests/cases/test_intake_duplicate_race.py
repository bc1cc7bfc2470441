"""Six identical submits at the same instant, without an Idempotency-Key (issue 12, item
7): the duplicate check is serialized, so exactly one case is created and the other five
answer 409 `likely_duplicate`."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cases.models import AuthorizationRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SUBMITS = 6


def test_six_simultaneous_identical_submits_create_one_case_and_five_conflicts(provider, payload):
    # Given one request body, sent by six API clients released at the same instant
    body = payload()
    barrier = threading.Barrier(SUBMITS)
    results = []

    def submit():
        client = APIClient()
        client.force_authenticate(user=provider)
        try:
            barrier.wait()
            response = client.post("/api/v1/authorizations/", body, format="json")
            results.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(SUBMITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then one case exists, and every other submit was told it is a likely duplicate
    assert AuthorizationRequest.objects.count() == 1
    assert sorted(results) == sorted([(201, None)] + [(409, "likely_duplicate")] * (SUBMITS - 1))


def test_overlapping_but_different_dates_are_serialized_too(provider, payload):
    # Given two submits of the same code whose dates overlap without being equal
    from datetime import date, timedelta

    first = payload()
    start = date.fromisoformat(first["lines"][0]["start_date"])
    second = payload(
        lines=[{**first["lines"][0], "end_date": (start + timedelta(days=2)).isoformat()}],
    )
    barrier = threading.Barrier(2)
    results = []

    def submit(body):
        client = APIClient()
        client.force_authenticate(user=provider)
        try:
            barrier.wait()
            results.append(client.post("/api/v1/authorizations/", body, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(body,)) for body in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then exactly one was created and the other was flagged
    assert sorted(results) == [201, 409]
    assert AuthorizationRequest.objects.count() == 1
