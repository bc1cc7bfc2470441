"""The rules through the API, the pages and the Django admin: a rule can never deny there
either, bad input is a clear 400 with nothing saved, and the list's queries are pinned."""

from datetime import date

import pytest

from automation.models import AutoApprovalRule, AutoApprovalRuleVersion, Simulation

pytestmark = pytest.mark.django_db

RULES = "/api/v1/auto-approval-rules/"


def test_api_refuses_a_denying_rule_with_a_clear_400_and_saves_nothing(api, admin_user):
    response = api.as_user(admin_user).post(
        RULES,
        {
            "rule_name": "Deny knees",
            "conditions": {"codes": ["27447"]},
            "effective_from": "2026-01-01",
            "action": "deny",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "rule_cannot_deny" and "only approve" in response.json()["detail"]
    assert not AutoApprovalRule.objects.exists()


def test_api_writes_simulates_and_switches_on(api, admin_user, django_capture_on_commit_callbacks):
    client = api.as_user(admin_user)
    created = client.post(
        RULES, {"rule_name": "PT", "conditions": {"codes": ["97110"]}, "effective_from": "2026-01-01"}, format="json"
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    version_id = created.json()["id"]

    assert client.post(f"{RULES}{version_id}/switch-on/").status_code == 409  # not simulated yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        simulated = client.post(
            f"{RULES}{version_id}/simulate/", {"period_start": "2026-01-01", "period_end": "2026-01-31"}, format="json"
        )
    assert simulated.status_code == 202 and len(callbacks) == 1  # the task is enqueued on commit
    from automation.services.simulate import simulation_run

    simulation_run(simulation_id=simulated.json()["id"])
    progress = client.get(f"/api/v1/auto-approval-simulations/{simulated.json()['id']}/").json()
    assert (progress["status"], progress["percent"]) == ("done", 100)
    assert client.post(f"{RULES}{version_id}/switch-on/").json()["status"] == "live"


@pytest.mark.parametrize(
    ("conditions", "words"),
    [({}, "conditions"), ({"codes": ["ABC"]}, "not a known CPT"), ({"codes": ["27447"], "max_units": -1}, "max_units")],
)
def test_api_bad_conditions_are_400_with_nothing_saved(api, admin_user, conditions, words):
    response = api.as_user(admin_user).post(
        RULES, {"rule_name": "Bad", "conditions": conditions, "effective_from": "2026-01-01"}, format="json"
    )
    assert response.status_code == 400 and words in str(response.json())
    assert not AutoApprovalRuleVersion.objects.exists()


def test_a_provider_or_nurse_cannot_reach_the_rules(api, provider, nurse):
    for user in (provider, nurse):
        assert api.as_user(user).get(RULES).status_code == 403
        response = api.as_user(user).post(
            RULES, {"rule_name": "X", "conditions": {"codes": ["27447"]}, "effective_from": "2026-01-01"}, format="json"
        )
        assert response.status_code == 403
    assert not AutoApprovalRule.objects.exists()


def test_admin_site_refuses_a_denying_rule(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/automation/autoapprovalruleversion/add/",
        {
            "rule_name": "Deny",
            "conditions": '{"codes": ["27447"]}',
            "action": "deny",
            "effective_from": "2026-01-01",
        },
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not AutoApprovalRuleVersion.objects.exists()


def test_admin_site_adds_an_approving_rule_through_the_service(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/automation/autoapprovalruleversion/add/",
        {"rule_name": "PT", "conditions": '{"codes": ["97110"]}', "action": "approve", "effective_from": "2026-01-01"},
    )
    assert response.status_code == 302
    version = AutoApprovalRuleVersion.objects.get()
    assert (version.rule.name, version.status, version.events.count()) == ("PT", "draft", 1)


def test_rules_page_writes_a_draft_and_shows_errors(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    bad = client.post(
        "/automation/rules/", {"rule_name": "X", "conditions": '{"codes": []}', "effective_from": "2026-01-01"}
    )
    assert bad.status_code == 400 and "empty list would match nothing" in bad.content.decode()
    ok = client.post(
        "/automation/rules/", {"rule_name": "PT", "conditions": '{"codes": ["97110"]}', "effective_from": "2026-01-01"}
    )
    assert ok.status_code == 302
    version = AutoApprovalRuleVersion.objects.get()
    page = client.get(f"/automation/rules/{version.pk}/").content.decode()
    assert "Simulate" in page and "97110" in page
    Simulation.objects.create(
        version=version, conditions=version.conditions, period_start=date(2026, 1, 1), period_end=date(2026, 1, 2),
        requested_by=admin_user,
    )  # fmt: skip
    assert 'id="simulation-progress"' in client.get(f"/automation/rules/{version.pk}/").content.decode()


def test_rules_list_query_count_is_pinned(client, admin_user, django_assert_num_queries):
    for name in ("A", "B", "C"):
        AutoApprovalRuleVersion.objects.create(
            rule=AutoApprovalRule.objects.create(name=name), version=1, conditions={"codes": ["27447"]},
            effective_from=date(2026, 1, 1),
        )  # fmt: skip
    client.force_login(admin_user)
    # 1 session, 2 the user with their groups (role), 3 versions with rule and authors, 4 unread
    # notifications (nav), 5-7 the session saved on every request (savepoint, update, release).
    with django_assert_num_queries(7):
        response = client.get("/automation/rules/")
    assert response.status_code == 200
