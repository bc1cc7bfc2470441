"""SMART Backend Services: a client an administrator registered for an organization signs a
JWT with its private key (RS384 or ES384), gets a five-minute bearer token, and submits a
PAS request as the organization's user; a wrong key, audience, expiry or a replayed jti
gets no token; an unknown or expired bearer token is a 401 OperationOutcome."""

import time
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from cases.models import AuthorizationRequest
from pas.models import SmartAccessToken, SmartClient

from .conftest import SUBMIT

pytestmark = pytest.mark.django_db
TOKEN_URL = "http://testserver/auth/smart/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture
def rsa_key():
    return RSAKey.generate_key(2048, parameters={"kid": "ehr-key-1"})


@pytest.fixture
def smart_client(office, office_user, rsa_key):
    client = SmartClient(
        organization=office, name="Office EHR", jwks={"keys": [rsa_key.as_dict(private=False)]}, acts_as=office_user
    )
    client.full_clean()
    client.save()
    return client


def _assertion(client_id: str, key, *, alg="RS384", aud=TOKEN_URL, exp_in=240, jti=None, iss=None) -> str:
    now = int(time.time())
    claims = {
        "iss": iss or client_id,
        "sub": client_id,
        "aud": aud,
        "exp": now + exp_in,
        "jti": jti or str(uuid.uuid4()),
    }
    return jwt.encode({"alg": alg, "kid": key.kid, "typ": "JWT"}, claims, key, algorithms=[alg])


def _token(client, assertion: str, scope: str = "system/Claim.c system/Claim.r"):
    return client.post(
        "/auth/smart/token",
        {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
            "scope": scope,
        },
    )


def test_signed_assertion_gets_a_token_that_submits_as_the_organization(client, smart_client, rsa_key, mapped):
    response = _token(client, _assertion(smart_client.client_id, rsa_key))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 300
    assert body["scope"] == "system/Claim.c system/Claim.r"
    assert response["Cache-Control"] == "no-store"
    assert SmartAccessToken.objects.get().token_sha256 != body["access_token"]  # only its hash is kept

    submitted = client.post(
        SUBMIT,
        mapped("Bundle-HomecareAuthorizationBundleExample.json"),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {body['access_token']}",
    )
    assert submitted.status_code == 201, submitted.content
    assert AuthorizationRequest.objects.get().submitted_by == smart_client.acts_as


def test_an_es384_key_works_too(client, office, office_user):
    key = ECKey.generate_key("P-384", parameters={"kid": "ec-1"})
    registered = SmartClient.objects.create(
        organization=office, name="EC EHR", jwks={"keys": [key.as_dict(private=False)]}, acts_as=office_user
    )

    assert _token(client, _assertion(registered.client_id, key, alg="ES384")).status_code == 200


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"aud": "http://elsewhere.example/token"}, "aud must be"),
        ({"exp_in": -10}, "exp is missing or past"),
        ({"exp_in": 3600}, "more than five minutes"),
        ({"iss": "someone-else"}, "Unknown or inactive client"),
    ],
)
def test_a_bad_assertion_gets_no_token(client, smart_client, rsa_key, change, fragment):
    response = _token(client, _assertion(smart_client.client_id, rsa_key, **change))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client" and fragment in response.json()["error_description"]
    assert SmartAccessToken.objects.count() == 0


def test_an_assertion_signed_with_another_key_gets_no_token(client, smart_client):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "ehr-key-1"})

    response = _token(client, _assertion(smart_client.client_id, stranger))

    assert response.status_code == 401 and "does not verify" in response.json()["error_description"]


def test_a_replayed_assertion_gets_no_second_token(client, smart_client, rsa_key):
    assertion = _assertion(smart_client.client_id, rsa_key, jti="once-only")

    assert _token(client, assertion).status_code == 200
    again = _token(client, assertion)

    assert again.status_code == 401 and "already used" in again.json()["error_description"]
    assert SmartAccessToken.objects.count() == 1


def test_wrong_grant_and_unknown_scope_are_oauth_errors(client, smart_client, rsa_key):
    wrong_grant = client.post("/auth/smart/token", {"grant_type": "password"})
    assert wrong_grant.status_code == 400 and wrong_grant.json()["error"] == "unsupported_grant_type"

    no_scope = _token(client, _assertion(smart_client.client_id, rsa_key), scope="user/*.*")
    assert no_scope.status_code == 400 and no_scope.json()["error"] == "invalid_scope"


def test_an_expired_or_unknown_bearer_token_is_a_login_outcome(client, smart_client, rsa_key, mapped):
    access = _token(client, _assertion(smart_client.client_id, rsa_key)).json()["access_token"]
    bundle = mapped("Bundle-HomecareAuthorizationBundleExample.json")

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        late = client.post(SUBMIT, bundle, content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {access}")
    unknown = client.post(SUBMIT, bundle, content_type="application/fhir+json", HTTP_AUTHORIZATION="Bearer nope")

    for response in (late, unknown):
        assert response.status_code == 401
        assert response.json()["issue"][0]["code"] == "login"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert AuthorizationRequest.objects.count() == 0


def test_registration_refuses_private_keys_and_users_of_another_organization(office, office_user, provider2, rsa_key):
    private = SmartClient(
        organization=office, name="Leaky", jwks={"keys": [rsa_key.as_dict(private=True)]}, acts_as=office_user
    )
    with pytest.raises(ValidationError, match="public key only"):
        private.full_clean()

    foreign = SmartClient(
        organization=office, name="Foreign", jwks={"keys": [rsa_key.as_dict(private=False)]}, acts_as=provider2
    )
    with pytest.raises(ValidationError, match="user of this organization"):
        foreign.full_clean()


def test_discovery_and_capability_statement_name_the_token_endpoint(client):
    configuration = client.get("/fhir/.well-known/smart-configuration").json()
    assert configuration["token_endpoint"] == TOKEN_URL
    assert "private_key_jwt" in configuration["token_endpoint_auth_methods_supported"]

    security = client.get("/fhir/metadata").json()["rest"][0]["security"]
    assert security["service"][0]["coding"][0]["code"] == "SMART-on-FHIR"
    assert security["extension"][0]["extension"][0]["valueUri"] == TOKEN_URL


def test_a_token_acts_only_within_its_scopes_and_writes_nothing_outside_them(client, smart_client, rsa_key, mapped):
    read_only = _token(client, _assertion(smart_client.client_id, rsa_key), scope="system/Claim.r").json()
    bearer = f"Bearer {read_only['access_token']}"
    bundle = mapped("Bundle-HomecareAuthorizationBundleExample.json")

    submitted = client.post(SUBMIT, bundle, content_type="application/fhir+json", HTTP_AUTHORIZATION=bearer)
    subscriptions = client.get("/fhir/Subscription", HTTP_AUTHORIZATION=bearer)

    for response in (submitted, subscriptions):
        assert response.status_code == 403, response.content
        issue = response.json()["issue"][0]
        assert issue["code"] == "forbidden" and "system/Claim.r" in issue["diagnostics"]
    assert "system/Claim.c" in submitted.json()["issue"][0]["diagnostics"]
    assert AuthorizationRequest.objects.count() == 0

    writer = _token(client, _assertion(smart_client.client_id, rsa_key), scope="system/Claim.c").json()
    allowed = client.post(
        SUBMIT, bundle, content_type="application/fhir+json", HTTP_AUTHORIZATION=f"Bearer {writer['access_token']}"
    )
    assert allowed.status_code == 201, allowed.content
