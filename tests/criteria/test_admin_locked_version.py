import pytest
from django.urls import reverse

from criteria.models import CriteriaVersion
from criteria.services.versions import criteria_versions_lock
from tests.factories import CriteriaVersionFactory

pytestmark = pytest.mark.django_db


def _post_data(version, **overrides):
    data = {
        "criteria_set": version.criteria_set_id,
        "version": version.version,
        "effective_from": version.effective_from.isoformat(),
        "effective_to": "",
        "text": "edited in the admin",
        "indications": "[]",
    }
    data.update(overrides)
    return data


def test_admin_edits_an_unlocked_version(client, admin_user):
    version = CriteriaVersionFactory()
    client.force_login(admin_user)

    response = client.post(reverse("admin:criteria_criteriaversion_change", args=[version.pk]), _post_data(version))

    assert response.status_code == 302
    assert CriteriaVersion.objects.get(pk=version.pk).text == "edited in the admin"


def test_admin_cannot_edit_a_locked_version_and_is_told_why(client, admin_user):
    version = CriteriaVersionFactory(text="as used")
    criteria_versions_lock(versions=[version])
    client.force_login(admin_user)
    url = reverse("admin:criteria_criteriaversion_change", args=[version.pk])

    page = client.get(url)
    response = client.post(url, _post_data(version))

    assert "can no longer be edited" in page.content.decode()
    assert response.status_code == 403
    assert CriteriaVersion.objects.get(pk=version.pk).text == "as used"


def test_admin_bulk_delete_refuses_locked_versions(client, admin_user):
    version = CriteriaVersionFactory()
    criteria_versions_lock(versions=[version])
    client.force_login(admin_user)

    client.post(
        reverse("admin:criteria_criteriaversion_changelist"),
        {"action": "delete_selected", "_selected_action": [version.pk], "post": "yes"},
    )

    assert CriteriaVersion.objects.filter(pk=version.pk).exists()


def test_admin_action_makes_a_new_draft_version(client, admin_user):
    version = CriteriaVersionFactory(version="2026.1")
    criteria_versions_lock(versions=[version])
    client.force_login(admin_user)

    client.post(
        reverse("admin:criteria_criteriaversion_changelist"),
        {"action": "new_version_from", "_selected_action": [version.pk]},
    )

    draft = CriteriaVersion.objects.exclude(pk=version.pk).get(criteria_set=version.criteria_set)
    assert draft.locked_at is None and draft.text == version.text
