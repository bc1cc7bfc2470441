"""GET /api/v1/letters/{id}/pdf: through the case access helper, logged as a PHI read."""

import pytest

from notifications.models import Letter
from notifications.services.letters import letters_generate_for_event
from um_portal.models import AccessLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(make_case, decide, imaging):
    case = make_case(servicing_organization=imaging)
    _, event = decide(case, "approved", basis="")
    letters = {x.recipient: x for x in letters_generate_for_event(event_id=event.pk)}
    assert {x.status for x in letters.values()} == {"issued"}
    return case, letters


def test_provider_downloads_its_organization_letter_and_the_read_is_logged(api, provider, issued):
    case, letters = issued
    letter = letters["requesting_provider"]

    response = api.as_user(provider).get(f"/api/v1/letters/{letter.pk}/pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and len(body) > 1000
    assert f'filename="{case.reference}-approval-requesting_provider.pdf"' in response["Content-Disposition"]
    log = AccessLog.objects.get(object_id=str(letter.pk))
    assert (log.user, log.object_kind, log.how, log.member) == (provider, "letter", "download", case.member)


def test_servicing_provider_gets_its_own_letter_but_not_the_requesters(api, provider2, issued):
    _, letters = issued
    api.as_user(provider2)

    assert api.get(f"/api/v1/letters/{letters['servicing_provider'].pk}/pdf").status_code == 200
    assert api.get(f"/api/v1/letters/{letters['requesting_provider'].pk}/pdf").status_code == 404


def test_provider_cannot_read_the_member_letter_and_nothing_is_logged(api, provider, issued):
    _, letters = issued

    response = api.as_user(provider).get(f"/api/v1/letters/{letters['member'].pk}/pdf")

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_stranger_organization_gets_404_and_nothing_is_logged(api, issued, db):
    from cases.services.providers import provider_user_attach
    from tests.factories import AgreementFactory, OrganizationFactory, UserFactory

    org = OrganizationFactory()
    AgreementFactory(organization=org)
    stranger = UserFactory(username="stranger")
    provider_user_attach(user=stranger, organization=org)
    _, letters = issued

    response = api.as_user(stranger).get(f"/api/v1/letters/{letters['requesting_provider'].pk}/pdf")

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


def test_nurse_reads_the_member_letter(api, nurse, issued):
    _, letters = issued

    assert api.as_user(nurse).get(f"/api/v1/letters/{letters['member'].pk}/pdf").status_code == 200


def test_unissued_or_unknown_letters_are_404(api, nurse, make_case, decide):
    case = make_case()
    _, event = decide(case, "denied", reason="")
    [held, _] = letters_generate_for_event(event_id=event.pk)
    assert held.status == Letter.Status.BLOCKED
    api.as_user(nurse)

    assert api.get(f"/api/v1/letters/{held.pk}/pdf").status_code == 404
    assert api.get("/api/v1/letters/not-a-uuid/pdf").status_code == 404


def test_anonymous_is_refused(api, issued):
    _, letters = issued

    assert api.get(f"/api/v1/letters/{letters['member'].pk}/pdf").status_code in (401, 403)
