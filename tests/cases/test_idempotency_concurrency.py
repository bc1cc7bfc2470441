"""A concurrent double submit with the same Idempotency-Key creates one case: the second
request waits on the unique key row and replays the first answer."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cases.models import AuthorizationRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_simultaneous_submits_with_one_key_create_one_case(provider, payload):
    body = payload()
    barrier = threading.Barrier(2)
    results = []

    def submit():
        client = APIClient()
        client.force_authenticate(user=provider)
        barrier.wait()
        try:
            response = client.post("/api/v1/authorizations/", body, format="json", HTTP_IDEMPOTENCY_KEY="double")
            results.append((response.status_code, response.json().get("id")))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert AuthorizationRequest.objects.count() == 1
    assert [code for code, _ in results] == [201, 201]
    assert results[0][1] == results[1][1]
