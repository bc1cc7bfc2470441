"""No admin path decides a case: decisions are read-only, and a case's status, per-line
outcomes and approved units cannot be edited there."""

import pytest
from django.contrib import admin

from cases.models import AuthorizationRequest
from reviews.models import Decision

pytestmark = pytest.mark.django_db


def test_decision_admin_cannot_add_change_or_delete(rf, admin_user):
    model_admin = admin.site._registry[Decision]
    request = rf.get("/admin/")
    request.user = admin_user

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_case_admin_keeps_status_and_line_outcomes_read_only(rf, admin_user, make_case):
    case = make_case()
    model_admin = admin.site._registry[AuthorizationRequest]
    request = rf.get("/admin/")
    request.user = admin_user

    readonly = set(model_admin.get_readonly_fields(request, case))
    line_inline = next(i for i in model_admin.get_inline_instances(request, case) if i.model.__name__ == "ServiceLine")

    assert {"status", "decided_at", "decision_due_at"} <= readonly
    assert {"approved_units", "outcome"} <= set(line_inline.get_readonly_fields(request, case))


def test_a_nurse_does_not_reach_the_admin(client, nurse):
    client.force_login(nurse)

    response = client.get("/admin/reviews/decision/add/")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
