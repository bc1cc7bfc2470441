import pytest
from django.utils import timezone

from criteria.models import CriteriaVersion
from criteria.services.versions import criteria_version_create, criteria_version_update, criteria_versions_lock
from tests.factories import CriteriaVersionFactory
from um_portal.exceptions import Conflict

pytestmark = pytest.mark.django_db


def test_unlocked_version_can_be_edited():
    version = CriteriaVersionFactory(text="old")

    criteria_version_update(version=version, text="new")

    version.refresh_from_db()
    assert version.text == "new"


def test_locked_version_refuses_edit_through_the_service_and_keeps_its_text():
    version = CriteriaVersionFactory(text="as used")
    criteria_versions_lock(versions=[version])

    with pytest.raises(Conflict, match="Make a new version"):
        criteria_version_update(version=version, text="changed")

    assert CriteriaVersion.objects.get(pk=version.pk).text == "as used"


def test_locked_version_refuses_save_and_delete_on_the_model_even_from_a_stale_instance():
    version = CriteriaVersionFactory(text="as used")
    stale = CriteriaVersion.objects.get(pk=version.pk)
    criteria_versions_lock(versions=[version])

    stale.text = "changed"
    with pytest.raises(Conflict):
        stale.save()
    with pytest.raises(Conflict):
        stale.delete()

    assert CriteriaVersion.objects.get(pk=version.pk).text == "as used"


def test_lock_keeps_the_first_lock_time():
    version = CriteriaVersionFactory()
    first = timezone.now() - timezone.timedelta(days=3)
    assert criteria_versions_lock(versions=[version], at=first) == 1
    assert criteria_versions_lock(versions=[version]) == 0
    version.refresh_from_db()
    assert version.locked_at == first


def test_a_new_version_can_be_made_beside_a_locked_one():
    version = CriteriaVersionFactory(version="2026.1")
    criteria_versions_lock(versions=[version])

    new = criteria_version_create(
        criteria_set=version.criteria_set, version="2026.2", effective_from=version.effective_from, text="revised"
    )

    assert new.locked_at is None and new.criteria_set_id == version.criteria_set_id


@pytest.mark.postgres
def test_database_refuses_a_queryset_update_or_delete_of_a_locked_version():
    from django.db import DatabaseError, transaction

    version = CriteriaVersionFactory(text="as used")
    criteria_versions_lock(versions=[version])

    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic():
        CriteriaVersion.objects.filter(pk=version.pk).update(text="changed behind the model's back")
    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic():
        CriteriaVersion.objects.filter(pk=version.pk).delete()

    assert CriteriaVersion.objects.get(pk=version.pk).text == "as used"
