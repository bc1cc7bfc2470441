"""The OpenAPI schema generates without warnings, and fuzzing the API described by it
(schemathesis, authenticated as a provider) finds no server error."""

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error


def test_schema_generates_and_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in ("/api/v1/authorizations/", "/api/v1/members/", "/api/v1/auth/token/", "/api/v1/me/"):
        assert path in text


@pytest.fixture
def api_schema(settings):
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # As Django's test client does: keep the test's database connection (and its
    # transaction) open across the in-process WSGI requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def provider_token(provider, member, make_case):
    return Token.objects.get_or_create(user=provider)[0].key


@pytest.fixture
def real_ids(provider, member, make_case, pended):
    """A case of the provider's organization, pended, with a document: fuzzed bodies then
    reach the services behind the object endpoints, not only the 404."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.services.attachments import attachment_add

    case = make_case(member=member)
    pended(case)
    upload = SimpleUploadedFile("n.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    attachment = attachment_add(case=case, user=provider, upload=upload)
    return {"case_id": str(case.pk), "attachment_id": str(attachment.pk)}


# Bounded so the run stays well under two minutes: a few examples per operation and
# mode (valid and invalid input), fixed seed so a failure reproduces.
EXAMPLES_PER_OPERATION = 8


@pytest.mark.django_db
def test_fuzzing_the_api_finds_no_server_error(api_schema, provider_token, real_ids):
    headers = {"Authorization": f"Token {provider_token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    failures = []
    plans = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            plans.append((operation, mode, None))
        names = {p.name for p in operation.path_parameters}
        if names and names <= set(real_ids):
            plans.append((operation, GenerationMode.POSITIVE, {n: real_ids[n] for n in names}))
    assert sum(1 for _op, _mode, ids in plans if ids) >= 9  # every object endpoint, on a real case
    for operation, mode, path_parameters in plans:

        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
        def fuzz(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        try:
            fuzz()
        except Unsatisfiable:
            continue  # no input of this operation can be made invalid (e.g. a free-text id)
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            where = f" on {path_parameters}" if path_parameters else ""
            failures.append(f"{operation.label} ({mode.value}{where}): {exc}")
    assert not failures, "\n\n".join(failures)
