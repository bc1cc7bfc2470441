"""Every PHI read in the admin leaves an access-log row saying how it was read (issue 12,
item 6): the test walks every registered admin whose model holds or points to a member
or a case, opens its list and one change page, and fails if either logs nothing. Also
the autocomplete search of members and the peer-to-peer page (member names)."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from automation.models import RuleEvaluation
from cases.models import AuthorizationRequest, InpatientStay, Member
from notifications.models import Letter, LetterDelivery
from notifications.services.letters import letters_generate_for_event
from reviews.models import PeerToPeerRequest
from reviews.models_clocks import CaseAlert
from reviews.services.decisions import case_approve
from um_portal.audit import access_log_record
from um_portal.models import AccessLog

pytestmark = pytest.mark.django_db
PHI_ROOTS = (Member, AuthorizationRequest)


def _shows_phi(model, hops: int = 2) -> bool:
    """The model is a member or a case, or reaches one through at most `hops` foreign keys."""
    if model in PHI_ROOTS:
        return True
    return hops > 0 and any(
        field.many_to_one or field.one_to_one
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is not None and _shows_phi(field.related_model, hops - 1)
    )


@pytest.fixture
def every_phi_row(make_case, member, decide, ortho, nurse, admin_user):
    """At least one row of every model the admin shows PHI of."""
    case = make_case(member=member)
    _, event = decide(case, "denied", reason="Not medically necessary.")
    letters_generate_for_event(event_id=event.pk)
    now = timezone.now()
    InpatientStay.objects.create(member=member, facility=ortho, admitted_at=now - timedelta(days=2))
    CaseAlert.objects.create(
        case=case, threshold="50", due_at=now, decision_due_at=now + timedelta(days=1), raised_at=now
    )
    RuleEvaluation.objects.create(case=case, evaluated_at=now, outcome=RuleEvaluation.Outcome.NO_MATCH)
    access_log_record(user=nurse, obj=case, how=AccessLog.How.PAGE)
    case_approve(case_id=make_case(member=member).pk, actor=nurse)  # an authorization (issue 19)
    # Referral management (issue 20): a review and a proposal.
    from reviews.models import RedirectionOffer, ReferralReview

    review = ReferralReview.objects.create(
        case=case, network_status="out_of_network", due_at=now, opened_at=now, specialty_name="Cardiology"
    )
    RedirectionOffer.objects.create(
        review=review,
        case=case,
        organization=ortho,
        option_name="Ortho",
        message="Closer.",
        offered_by=nurse,
        offered_at=now,
    )
    assert Letter.objects.exists() and LetterDelivery.objects.exists()
    return case


def _phi_admins():
    return sorted(
        ((model, model_admin) for model, model_admin in admin.site._registry.items() if _shows_phi(model)),
        key=lambda pair: pair[0]._meta.label,
    )


def test_the_walk_covers_the_admins_that_show_members_and_cases():
    labels = {model._meta.label for model, _ in _phi_admins()}
    assert {"cases.Member", "cases.AuthorizationRequest", "cases.Coverage", "notifications.Letter"} <= labels
    assert len(labels) >= 10


def test_every_admin_page_that_shows_phi_logs_the_read(client, admin_user, every_phi_row, rf):
    client.force_login(admin_user)
    silent = []
    for model, model_admin in _phi_admins():
        request = rf.get("/")
        request.user = admin_user
        row = model_admin.get_queryset(request).first()
        assert row is not None, f"{model._meta.label}: the fixture must make a row of it"
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for url in (reverse(f"{name}_changelist"), reverse(f"{name}_change", args=[row.pk])):
            before = AccessLog.objects.filter(how=AccessLog.How.ADMIN, path=url).count()
            response = client.get(url)
            assert response.status_code == 200, url
            logged = AccessLog.objects.filter(how=AccessLog.How.ADMIN, path=url, user=admin_user).count() - before
            if logged < 1:
                silent.append(url)
    assert not silent, "admin pages that show PHI but log nothing:\n" + "\n".join(silent)


def test_the_member_list_logs_each_member_shown(client, admin_user, member):
    client.force_login(admin_user)

    client.get(reverse("admin:cases_member_changelist"))

    row = AccessLog.objects.get(how=AccessLog.How.ADMIN, object_kind="member")
    assert (row.member, row.user, row.object_id) == (member, admin_user, str(member.pk))


def test_the_member_autocomplete_search_logs_the_members_found(client, admin_user, member):
    client.force_login(admin_user)

    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "cases", "model_name": "coverage", "field_name": "member", "term": member.last_name},
    )

    assert response.status_code == 200 and response.json()["results"]
    assert AccessLog.objects.filter(how=AccessLog.How.ADMIN, member=member, path="/admin/autocomplete/").exists()


def test_the_peer_to_peer_page_logs_the_cases_whose_members_it_names(client, physician, provider, make_case, member):
    case = make_case(member=member)
    PeerToPeerRequest.objects.create(case=case, requested_by=provider, requested_at=timezone.now(), phone="4105550100")
    client.force_login(physician)

    response = client.get(reverse("reviews:peer_to_peer"))

    assert response.status_code == 200 and member.name in response.content.decode()
    row = AccessLog.objects.get(user=physician, object_kind="case")
    assert (row.object_id, row.member, row.how) == (str(case.pk), member, AccessLog.How.PAGE)
