"""The route-permission matrix: every URL pattern (pages and API) and who may reach it.

Walks the URL resolver, so a new route without a row here fails the suite. To add one,
add ONE line to MATRIX: the route's name and who may reach it; everyone else must be
refused (anonymous: redirect to login, 401 or 403; a signed-in user: 403 or 404).

- Personas: anonymous, provider (at `ortho`, which owns the sample case), other_org
  (provider2 at `imaging`: a stranger to the sample case), nurse, physician, admin.
- URL kwargs come from SAMPLE_KWARGS by name (case_id, reference, member_id ...), or from
  the row's `kwargs=lambda w: {...}` reading the `world` (w.case, w.member, w.users ...).
- "Reached" means any answer that is not a refusal, a 405 or a 5xx: a POST with an empty
  body may well answer 400 or 409, which still proves the role got past the permission
  checks. Each persona's request runs in a rolled-back savepoint, so one persona's POST
  cannot change what the next one sees.
- The admin site (`admin:` namespace) protects itself (is_staff); only its index is listed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

ANON, PROVIDER, OTHER_ORG, NURSE, PHYSICIAN, ADMIN = "anonymous", "provider", "other_org", "nurse", "physician", "admin"
PERSONAS = (ANON, PROVIDER, OTHER_ORG, NURSE, PHYSICIAN, ADMIN)
PUBLIC = frozenset(PERSONAS)  # anyone, signed in or not
USERS = frozenset({PROVIDER, OTHER_ORG, NURSE, PHYSICIAN, ADMIN})
PROVIDERS = frozenset({PROVIDER, OTHER_ORG})
STAFF = frozenset({NURSE, PHYSICIAN, ADMIN})
REVIEWERS = frozenset({NURSE, PHYSICIAN})
CASE_PARTIES = frozenset({PROVIDER}) | STAFF  # the sample case's own provider office and UMOC staff


@dataclass(frozen=True)
class Row:
    allow: frozenset
    method: str = "get"
    kwargs: Callable | None = None
    data: dict = field(default_factory=dict)


def row(allow, method: str = "get", kwargs: Callable | None = None, data: dict | None = None) -> Row:
    return Row(frozenset(allow), method, kwargs, data or {})


# One line per route: name -> who may reach it.
MATRIX: dict[str, Row] = {
    # um_portal
    "home": row(USERS),
    "healthz": row(PUBLIC),
    "login": row(PUBLIC),
    "logout": row(PUBLIC, "post"),
    "api-schema": row(PUBLIC),
    "api-docs": row(PUBLIC),
    "admin:index": row({ADMIN}),
    # a permanent redirect of old admin links to the admin (which protects itself)
    "admin-moved-to-cases": row(PUBLIC, kwargs=lambda w: {"model": "turnaroundrule", "rest": ""}),
    # accounts (um_portal/account_urls.py)
    "mfa_setup": row(USERS),
    "mfa_verify": row(USERS),
    "api_token": row(USERS),
    # The page an enrolment link opens: anyone holding a usable link (it asks for the password).
    "mfa_enrol": row(PUBLIC, kwargs=lambda w: {"token": _enrolment_token(w)}),
    "mfa_recovery_codes": row(USERS, "post"),
    "keep_alive": row(USERS, "post"),
    "password_change": row(USERS),
    "password_change_done": row(USERS),
    "password_reset": row(PUBLIC),
    "password_reset_done": row(PUBLIC),
    "password_reset_confirm": row(PUBLIC, kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": row(PUBLIC),
    # audit (um_portal/audit/urls.py)
    "audit:log": row({ADMIN}),
    "audit:export": row({ADMIN}, "post"),
    "audit:member": row({ADMIN}),
    # notifications: phone lines (public contact page and API; the rest for UM administrators)
    "notifications:contact": row(PUBLIC),
    "contact-route": row(PUBLIC),
    "notifications:lines_grid": row({ADMIN}),
    "notifications:line_new": row({ADMIN}),
    "notifications:line_edit": row({ADMIN}, kwargs=lambda w: {"line_id": _line_pk("umoc")}),
    "notifications:line_delete": row({ADMIN}, "post", kwargs=lambda w: {"line_id": _line_pk("umoc")}),
    "notifications:line_hours_edit": row({ADMIN}, kwargs=lambda w: {"line_id": _line_pk("umoc"), "weekday": 0}),
    "notifications:closures": row({ADMIN}),
    "notifications:closure_remove": row({ADMIN}, "post", kwargs=lambda w: {"closure_id": _closure_pk()}),
    "notifications:lines_preview": row({ADMIN}),
    "notifications:lines_changes": row({ADMIN}),
    # notifications: letters (the case's parties; a provider office only its own organization's letters)
    "notifications:case_letters": row(CASE_PARTIES),
    "letter-pdf": row(CASE_PARTIES, kwargs=lambda w: {"letter_id": _sample_letter_pk(w)}),
    "api-prior-authorization-metrics": row(PUBLIC),
    # public CMS-0057-F report and the operations dashboard
    "reports:prior_authorization": row(PUBLIC),
    "reports:prior_authorization_csv": row(PUBLIC),
    "reviews:dashboard": row({PHYSICIAN, ADMIN}),
    # FHIR (Da Vinci PAS): provider offices and UM staff entering requests
    "pas:claim-submit": row(PROVIDERS | {NURSE, ADMIN}, "post"),
    "pas:claim-inquire": row(USERS, "post"),
    "pas:metadata": row(PUBLIC),
    # SMART Backend Services: discovery, and the token endpoint (its own client assertion is the credential)
    "pas:smart-configuration": row(PUBLIC),
    "smart-token": row(PUBLIC, "post"),
    "pas:subscriptions": row(PROVIDERS, "post"),
    "pas:subscription": row({PROVIDER}, kwargs=lambda w: {"subscription_id": _pas_subscription(w)}),
    "pas:subscription-status": row({PROVIDER}, kwargs=lambda w: {"subscription_id": _pas_subscription(w)}),
    # anything else under /fhir/: a not-supported OperationOutcome (401 without a login)
    "pas:not-supported": row(set()),
    # criteria
    "api-criteria": row(USERS),
    "api-coverage-requirements": row(USERS),
    "criteria:requirements": row(USERS),
    "criteria:public_list": row(PUBLIC),
    # reviews (API)
    "api-case-assign": row(REVIEWERS, "post"),
    "api-case-pend": row(REVIEWERS, "post"),
    "api-case-approve": row(REVIEWERS, "post"),
    "api-case-route-to-physician": row(REVIEWERS, "post"),
    "api-case-deny": row(REVIEWERS, "post"),
    "api-case-partially-approve": row({PHYSICIAN}, "post"),
    "api-reason-codes": row(USERS),
    "api-case-worksheet": row(REVIEWERS),
    "api-queue-nurse": row(REVIEWERS),
    "api-queue-physician": row(REVIEWERS),
    "api-queue-appeals": row({PHYSICIAN}),
    "api-queue-concurrent": row(REVIEWERS),
    "api-stay-detail": row(REVIEWERS, kwargs=lambda w: {"stay_id": _sample_stay(w).pk}),
    "api-stay-approve-days": row(REVIEWERS, "post", kwargs=lambda w: {"stay_id": _sample_stay(w).pk}),
    "api-stay-route": row(REVIEWERS, "post", kwargs=lambda w: {"stay_id": _sample_stay(w).pk}),
    "api-stay-discharge": row(REVIEWERS, "post", kwargs=lambda w: {"stay_id": _sample_stay(w).pk}),
    "api-stay-note": row(REVIEWERS, "post", kwargs=lambda w: {"stay_id": _sample_stay(w).pk}),
    # referral management (issue 20): the unit's nurses (the nurse persona is in the unit), the referring office
    "api-queue-referrals": row({NURSE}),
    "api-case-redirection-offer": row({NURSE}, "post"),
    "api-case-approve-out-of-network": row({NURSE}, "post"),
    "api-case-redirections": row(CASE_PARTIES),
    "api-case-redirection-accept": row({PROVIDER}, "post"),
    "api-case-redirection-decline": row({PROVIDER}, "post"),
    "api-appeal-detail": row(CASE_PARTIES, kwargs=lambda w: {"appeal_id": _sample_appeal(w).pk}),
    "api-appeal-decide": row({PHYSICIAN}, "post", kwargs=lambda w: {"appeal_id": _sample_appeal(w).pk}),
    # API v1: auth, directory, authorizations and provider actions (cases)
    "api-token": row(PUBLIC, "post"),
    "api-me": row(USERS),
    "api-members": row(USERS),
    "api-providers": row(USERS),
    "api-diagnosis-codes": row(USERS),
    "api-referral-options": row(USERS),
    "api-authorizations": row(USERS),
    "api-authorization": row(CASE_PARTIES),
    "api-authorization-attachments": row({PROVIDER, NURSE, PHYSICIAN}, "post"),
    "api-authorization-attachment": row(
        CASE_PARTIES, kwargs=lambda w: {"case_id": w.case.pk, "attachment_id": _attachment_pk(w)}
    ),
    "api-authorization-additional-information": row({PROVIDER}, "post"),
    "api-authorization-withdraw": row({PROVIDER}, "post"),
    "api-authorization-peer-to-peer": row({PROVIDER}, "post"),
    "api-authorization-appeals": row({PROVIDER}, "post"),
    "api-authorization-changes": row({PROVIDER}, "post"),
    "api-authorization-criteria": row(CASE_PARTIES),
    # reviews (pages)
    "reviews:nurse_queue": row(REVIEWERS),
    "reviews:referral_queue": row({NURSE}),
    "reviews:redirection_offer": row({NURSE}, "post"),
    "reviews:approve_out_of_network": row({NURSE}, "post"),
    "reviews:physician_queue": row(REVIEWERS),
    "reviews:case": row(REVIEWERS),
    "reviews:decision": row(CASE_PARTIES),
    "reviews:worksheet": row(REVIEWERS, "post"),
    "reviews:irr_exercises": row({ADMIN}),
    "reviews:irr_report": row({ADMIN}, kwargs=lambda w: {"exercise_id": _sample_irr_exercise(w).pk}),
    "reviews:irr_mine": row(REVIEWERS),
    "reviews:irr_take": row({NURSE}, kwargs=lambda w: {"assignment_id": _sample_irr_assignment(w).pk}),
    "reviews:claim": row(REVIEWERS, "post"),
    "reviews:claim_next": row(REVIEWERS, "post"),
    # UM supervisors only (a nurse or physician in the "UM supervisor" group, none of these
    # personas): tests/reviews/test_views_bulk_reassign.py shows a supervisor reaching it.
    "reviews:bulk_reassign": row(set(), "post"),
    "reviews:reassign": row(REVIEWERS, "post"),
    "reviews:note": row(REVIEWERS, "post"),
    "reviews:pend": row(REVIEWERS, "post"),
    "reviews:approve": row(REVIEWERS, "post"),
    "reviews:route": row(REVIEWERS, "post"),
    "reviews:deny": row(REVIEWERS, "post"),
    "reviews:partially_approve": row({PHYSICIAN}, "post"),
    "reviews:offer_talk": row({PHYSICIAN}, "post"),
    "reviews:revise": row({PHYSICIAN}, "post"),
    "reviews:appeals": row({PHYSICIAN}),
    "reviews:concurrent_queue": row(REVIEWERS),
    "reviews:stay": row(REVIEWERS, kwargs=lambda w: {"stay_id": _sample_stay(w).pk}),
    "reviews:stay_approve_days": row(REVIEWERS, "post", kwargs=lambda w: {"stay_id": _sample_stay(w).pk}),
    "reviews:stay_route": row(REVIEWERS, "post", kwargs=lambda w: {"stay_id": _sample_stay(w).pk}),
    "reviews:stay_discharge": row(REVIEWERS, "post", kwargs=lambda w: {"stay_id": _sample_stay(w).pk}),
    "reviews:stay_note": row(REVIEWERS, "post", kwargs=lambda w: {"stay_id": _sample_stay(w).pk}),
    "reviews:appeal": row({PHYSICIAN}, kwargs=lambda w: {"appeal_id": _sample_appeal(w).pk}),
    "reviews:appeal_decide": row({PHYSICIAN}, "post", kwargs=lambda w: {"appeal_id": _sample_appeal(w).pk}),
    "reviews:peer_to_peer": row({PHYSICIAN}),
    "reviews:talk_schedule": row({PHYSICIAN}, "post", kwargs=lambda w: {"talk_id": _sample_talk(w).pk}),
    "reviews:talk_attempt": row({PHYSICIAN}, "post", kwargs=lambda w: {"talk_id": _sample_talk(w).pk}),
    "reviews:talk_complete": row({PHYSICIAN}, "post", kwargs=lambda w: {"talk_id": _sample_talk(w).pk}),
    # cases: provider pages (dashboard, eligibility, request form, case page and its actions)
    "cases:dashboard": row(USERS),
    "cases:eligibility": row(USERS),
    "cases:new": row({PROVIDER, OTHER_ORG, NURSE, ADMIN}),
    "cases:detail": row(CASE_PARTIES),
    "cases:document_upload": row({PROVIDER, NURSE, PHYSICIAN}, "post"),
    "cases:document_download": row(
        CASE_PARTIES, kwargs=lambda w: {"case_id": w.case.pk, "attachment_id": _attachment_pk(w)}
    ),
    "cases:respond": row({PROVIDER}, "post"),
    "cases:withdraw": row({PROVIDER}, "post"),
    "cases:criteria_copy": row({PROVIDER}, "post"),
    "cases:peer_to_peer": row({PROVIDER}, "post"),
    "cases:appeal": row({PROVIDER}, "post"),
    "cases:redirection_accept": row({PROVIDER}, "post"),
    "cases:redirection_decline": row({PROVIDER}, "post"),
    "cases:authorization_change": row({PROVIDER}, "post"),
    # fax inbox (UM staff who key requests: nurses and administrators; the gateway's token)
    "cases:fax_inbox": row({NURSE, ADMIN}),
    "cases:fax_upload": row({NURSE, ADMIN}, "post"),
    "cases:fax_detail": row({NURSE, ADMIN}, kwargs=lambda w: {"fax_id": _sample_fax(w)}),
    "cases:fax_file": row({NURSE, ADMIN}, kwargs=lambda w: {"fax_id": _sample_fax(w)}),
    "cases:fax_attach": row({NURSE, ADMIN}, "post", kwargs=lambda w: {"fax_id": _sample_fax(w)}),
    "api-fax-inbound": row({NURSE, ADMIN}, "post"),
    "api-fax-list": row({NURSE, ADMIN}),
    "api-fax-detail": row({NURSE, ADMIN}, kwargs=lambda w: {"fax_id": _sample_fax(w)}),
    "api-fax-attach": row({NURSE, ADMIN}, "post", kwargs=lambda w: {"fax_id": _sample_fax(w)}),
    # clocks (deadlines, alerts)
    "reviews:at_risk": row(STAFF),
    "reviews:extend": row(REVIEWERS, "post"),
    "notifications:list": row(USERS),
    "notifications:read": row(USERS, "post", kwargs=lambda w: {"notification_id": 1}),
    "notifications:read_all": row(USERS, "post"),
    "api-case-extend": row(REVIEWERS, "post"),
    # automation: auto-approval rules and simulations (UM administrators)
    "automation:rules": row({ADMIN}),
    "automation:rule": row({ADMIN}, kwargs=lambda w: {"version_id": _rule_version_pk()}),
    "api-auto-rules": row({ADMIN}),
    "api-auto-rule-simulate": row({ADMIN}, "post", kwargs=lambda w: {"version_id": _rule_version_pk()}),
    "api-auto-rule-switch-on": row({ADMIN}, "post", kwargs=lambda w: {"version_id": _rule_version_pk()}),
    "api-auto-simulation": row({ADMIN}, kwargs=lambda w: {"simulation_id": _simulation_pk(w)}),
    "automation:gold_cards": row({ADMIN}),
    "api-auto-approval-report": row(STAFF),
    "notifications:gold_card": row(PROVIDERS),
    "notifications:gold_card_letter": row(
        set(), kwargs=lambda w: {"letter_id": "00000000-0000-0000-0000-000000000000"}
    ),
}


def _enrolment_token(w) -> str:
    from um_portal.mfa import mfa_enrolment_link_issue

    return mfa_enrolment_link_issue(user=w.users[NURSE])[1]


def _rule_version_pk() -> int:
    from datetime import date

    from automation.models import AutoApprovalRule, AutoApprovalRuleVersion

    rule, _ = AutoApprovalRule.objects.get_or_create(name="Matrix rule")
    version, _ = AutoApprovalRuleVersion.objects.get_or_create(
        rule=rule, version=1, defaults={"conditions": {"codes": ["27447"]}, "effective_from": date(2026, 1, 1)}
    )
    return version.pk


def _simulation_pk(w) -> int:
    from datetime import date

    from automation.models import AutoApprovalRuleVersion, Simulation

    version = AutoApprovalRuleVersion.objects.get(pk=_rule_version_pk())
    return Simulation.objects.create(
        version=version, conditions=version.conditions, period_start=date(2026, 1, 1), period_end=date(2026, 1, 31),
        requested_by=w.users[ADMIN],
    ).pk  # fmt: skip


def _attachment_pk(w) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.services.attachments import attachment_add

    upload = SimpleUploadedFile("note.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return str(attachment_add(case=w.case, user=w.users[PROVIDER], upload=upload).pk)


def _line_pk(key: str) -> int:
    from notifications.models import ContactLine

    return ContactLine.objects.get(key=key).pk


def _sample_letter_pk(w) -> str:
    """An issued letter of the sample case addressed to its requesting provider (ortho)."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from notifications.letters.render import template_current
    from notifications.models import Letter

    pdf = b"%PDF-1.4\n%%EOF\n"
    letter = Letter(
        case=w.case, kind="approval", recipient="requesting_provider", event=w.case.events.first(),
        template=template_current(kind="approval"), status="issued", sha256=hashlib.sha256(pdf).hexdigest(),
        issued_at=timezone.now(),
    )  # fmt: skip
    letter.pdf.save("letter.pdf", ContentFile(pdf), save=False)
    letter.save()
    return str(letter.pk)


def _closure_pk() -> int:
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import PlanClosure

    return PlanClosure.objects.create(date=timezone.localdate() + timedelta(days=30), name="Matrix closure").pk


def _sample_appeal(world):
    """An open appeal of a (synthetic) denial of the sample case."""
    from django.utils import timezone

    from reviews.models import Appeal, Decision

    decision = Decision.objects.create(
        case=world.case, outcome="denied", basis="benefit", reason="Not covered.",
        decided_by=world.users[NURSE], decided_at=timezone.now(),
    )  # fmt: skip
    return Appeal.objects.create(
        case=world.case, decision_appealed=decision, reason="Please reconsider.", filed_by=world.users[PROVIDER],
        filed_at=timezone.now(), due_at=timezone.now() + timezone.timedelta(days=30),
    )  # fmt: skip


def _sample_irr_exercise(world):
    """A reliability exercise (no items needed to reach its report) assigned to the nurse."""
    from django.utils import timezone

    from criteria.models import CriteriaVersion
    from reviews.models import IrrAssignment, IrrExercise
    from tests.factories import CriteriaVersionFactory

    version = CriteriaVersion.objects.first() or CriteriaVersionFactory()
    exercise = IrrExercise.objects.create(
        name="Sample", criteria_version=version, created_by=world.users[ADMIN], created_at=timezone.now()
    )
    IrrAssignment.objects.create(exercise=exercise, reviewer=world.users[NURSE])
    return exercise


def _sample_irr_assignment(world):
    return _sample_irr_exercise(world).assignments.get()


def _sample_fax(w) -> str:
    """A one-page fax a nurse filed."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from pypdf import PdfWriter

    from cases.models import FaxReceipt
    from cases.services.fax import fax_receipt_receive

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    out = io.BytesIO()
    writer.write(out)
    upload = SimpleUploadedFile("fax.pdf", out.getvalue(), content_type="application/pdf")
    fax = fax_receipt_receive(user=w.users[NURSE], upload=upload, source=FaxReceipt.Source.UPLOAD)
    return str(fax.pk)


def _sample_talk(world):
    """A peer-to-peer talk the sample case's provider asked for."""
    from django.utils import timezone

    from reviews.models import PeerToPeerRequest

    return PeerToPeerRequest.objects.create(
        case=world.case, requested_by=world.users[PROVIDER], requested_at=timezone.now(), phone="410-555-0101"
    )


# URL kwargs by name, read from the world; a row's own `kwargs` wins.
SAMPLE_KWARGS: dict[str, Callable] = {
    "case_id": lambda w: w.case.pk,
    "case_pk": lambda w: w.case.pk,
    "reference": lambda w: w.case.reference,
    "member_id": lambda w: w.member.pk,
    "member_pk": lambda w: w.member.pk,
    "member_number": lambda w: w.member.member_number,
}

SKIPPED_NAMESPACES = {"admin"}


def _walk(patterns, prefix: str = "", namespace: str = ""):
    """Yield (name or None, route text, kwarg names) for every leaf pattern."""
    for entry in patterns:
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}{ns}:" if ns else namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, text, full_ns)
        elif isinstance(entry, URLPattern):
            kwargs = set(entry.pattern.regex.groupindex)
            if "format" in kwargs:
                continue  # DRF format-suffix twin of a route that is already listed
            yield (f"{namespace}{entry.name}" if entry.name else None), text, kwargs


def _routes() -> dict[str, tuple[str, set]]:
    routes = {}
    for name, text, kwargs in _walk(get_resolver().url_patterns):
        routes[name or f"<unnamed {text}>"] = (text, kwargs)
    return routes


def test_every_route_has_a_row_in_the_matrix():
    routes = _routes()
    unnamed = sorted(key for key in routes if key.startswith("<unnamed"))
    assert not unnamed, f"Give these routes a name= so the matrix can list them: {unnamed}"
    missing = sorted(set(routes) - set(MATRIX))
    assert not missing, (
        "Routes without an entry in the route-permission matrix: "
        f"{missing}. Add one line per route to MATRIX in tests/um_portal/test_route_matrix.py "
        "saying which personas may reach it."
    )


def test_every_row_names_an_existing_route():
    routes = _routes()
    stale = sorted(name for name in MATRIX if name not in routes and not name.startswith("admin:"))
    assert not stale, f"Matrix rows for routes that no longer exist (remove them): {stale}"


@pytest.fixture
def world(provider, provider2, nurse, physician, admin_user, member, make_case):
    from um_portal.roles import REFERRAL_UNIT_GROUP, user_unit_set

    # The nurse persona also works in the Referral Management Unit (issue 20).
    user_unit_set(user=nurse, unit=REFERRAL_UNIT_GROUP)
    case = make_case(member=member)
    users = {PROVIDER: provider, OTHER_ORG: provider2, NURSE: nurse, PHYSICIAN: physician, ADMIN: admin_user}
    return SimpleNamespace(case=case, member=member, users=users)


def _sample_stay(world):
    """An open stay of the sample case's member, due for review today (one per world)."""
    from datetime import timedelta

    from django.utils import timezone

    from cases.models import InpatientStay, ProviderOrganization

    stay = getattr(world, "stay", None)
    if stay is None:
        today = timezone.localdate()
        stay = world.stay = InpatientStay.objects.create(
            member=world.member,
            facility=ProviderOrganization.objects.get(pk=world.case.servicing_organization_id),
            admitted_at=timezone.now() - timedelta(days=2),
            case=world.case,
            authorized_days=3,
            authorized_through=today,
            next_review_on=today,
        )
    return stay


def _pas_subscription(world) -> int:
    from pas.models import PasSubscription

    provider = world.users[PROVIDER]
    subscription = PasSubscription.objects.create(
        organization_id=provider.organization_id, created_by=provider, endpoint="http://127.0.0.1:9/hook"
    )
    return subscription.pk


def _url(name: str, spec: Row, world) -> str:
    kwargs = {}
    if spec.kwargs is not None:
        kwargs = spec.kwargs(world)
    else:
        try:
            return reverse(name)
        except NoReverseMatch:
            pass
        route_kwargs = _routes()[name][1]
        unknown = route_kwargs - set(SAMPLE_KWARGS)
        assert not unknown, f"{name}: give the row kwargs=lambda w: {{...}} for {sorted(unknown)}"
        kwargs = {key: SAMPLE_KWARGS[key](world) for key in route_kwargs}
    return reverse(name, kwargs=kwargs)


def _is_login_redirect(response) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location.startswith(reverse("login")) or location.startswith(reverse("admin:login"))
    )


def _refused(persona: str, response, public: bool = False) -> bool:
    # A public route may itself send people to the login page (logout does).
    if _is_login_redirect(response) and not public:
        return True
    if persona == ANON:
        return response.status_code in (401, 403)
    return response.status_code in (403, 404)


def _request(client: Client, spec: Row, url: str):
    if spec.method == "get":
        return client.get(url)
    if url.startswith("/api/"):
        return getattr(client, spec.method)(url, data=spec.data, content_type="application/json")
    return getattr(client, spec.method)(url, data=spec.data)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_route_access(name, world):
    spec = MATRIX[name]
    url = _url(name, spec, world)
    outcomes = {}
    for persona in PERSONAS:
        client = Client(raise_request_exception=False)
        with transaction.atomic():
            if persona != ANON:
                client.force_login(world.users[persona])
            response = _request(client, spec, url)
            transaction.set_rollback(True)
        outcomes[persona] = (response.status_code, response.get("Location", ""))
        status = response.status_code
        assert status < 500, f"{spec.method.upper()} {url} as {persona}: server error {status}"
        if persona in spec.allow:
            assert not _refused(persona, response, public=ANON in spec.allow) and status != 405, (
                f"{spec.method.upper()} {url} as {persona} should be reached, got {outcomes[persona]}"
            )
        else:
            assert _refused(persona, response), (
                f"{spec.method.upper()} {url} as {persona} should be refused, got {outcomes[persona]}"
            )
