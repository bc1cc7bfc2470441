"""The raw admin keeps the same rules and writes the same change log as the portal pages."""

import pytest

from notifications.models import ContactChangeLog, ContactLine

pytestmark = pytest.mark.django_db


def form_data(line, **changes):
    data = {
        "name": line.name,
        "phone": line.phone,
        "fax": line.fax,
        "tty": line.tty,
        "purpose": line.purpose,
        "fallback": line.fallback_id or "",
        "display_order": line.display_order,
    }
    if line.open_on_holidays:
        data["open_on_holidays"] = "on"
    data.update(changes)
    return data


def test_admin_refuses_a_fallback_loop(client, admin_user):
    client.force_login(admin_user)
    weekend = ContactLine.objects.get(key="weekend_holiday")
    urgent = ContactLine.objects.get(key="umoc_urgent")
    response = client.post(
        f"/admin/notifications/contactline/{weekend.pk}/change/", form_data(weekend, fallback=urgent.pk)
    )
    assert response.status_code == 200
    assert "Fallback loop" in response.content.decode()
    assert ContactLine.objects.get(pk=weekend.pk).fallback_id is None


def test_admin_change_goes_through_the_service_and_is_logged(client, admin_user):
    client.force_login(admin_user)
    line = ContactLine.objects.get(key="provider_experience")
    response = client.post(f"/admin/notifications/contactline/{line.pk}/change/", form_data(line, phone="877-806-0000"))
    assert response.status_code == 302
    entry = ContactChangeLog.objects.latest("id")
    assert (entry.actor, entry.old["phone"], entry.new["phone"]) == (admin_user, "877-806-7470", "877-806-0000")
    # Inquiries are kept (the admin form does not carry them).
    assert ContactLine.objects.get(key="umoc").inquiries.count() == 5
