"""UM administrators see and version the turnaround rules in the admin."""

from datetime import timedelta

from django.utils import timezone

from cases.models import TurnaroundRule


def test_admin_lists_the_shipped_rules(client, admin_user):
    client.force_login(admin_user)

    response = client.get("/admin/cases/turnaroundrule/")

    assert response.status_code == 200
    html = response.content.decode()
    for name in ("cms_ma", "cms_medicaid", "ncqa", "ca_knox_keene", "md_insurance"):
        assert name in html


def test_admin_adds_a_future_version_with_its_periods(client, admin_user):
    client.force_login(admin_user)
    start = timezone.localdate() + timedelta(days=30)

    response = client.post(
        "/admin/cases/turnaroundrule/add/",
        {
            "code": "ncqa",
            "name": "NCQA UM 5 (next year)",
            "source": "NCQA HPA UM 5",
            "lines_of_business": ["medicare_advantage", "medicaid"],  # ticked (issue 22, item 8)
            "state": "",
            "effective_from": start.isoformat(),
            "extension_grounds": "[]",
            "extension_for_expedited": "",
            "periods-TOTAL_FORMS": "1",
            "periods-INITIAL_FORMS": "0",
            "periods-MIN_NUM_FORMS": "0",
            "periods-MAX_NUM_FORMS": "1000",
            "periods-0-situation": "standard_pre_service",
            "periods-0-line_of_business": "",
            "periods-0-condition": "",
            "periods-0-amount": "10",
            "periods-0-unit": "calendar_days",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    rule = TurnaroundRule.objects.get(code="ncqa", effective_from=start)
    assert [(p.amount, p.unit) for p in rule.periods.all()] == [(10, "calendar_days")]
    assert rule.lines_of_business == ["medicare_advantage", "medicaid"]


def test_admin_cannot_add_a_version_starting_today(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        "/admin/cases/turnaroundrule/add/",
        {
            "code": "ncqa",
            "name": "Retroactive",
            "effective_from": timezone.localdate().isoformat(),
            "extension_grounds": "[]",
            "periods-TOTAL_FORMS": "0",
            "periods-INITIAL_FORMS": "0",
            "periods-MIN_NUM_FORMS": "0",
            "periods-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 200
    assert "never retroactively" in response.content.decode()
    assert not TurnaroundRule.objects.filter(name="Retroactive").exists()


def test_old_admin_links_from_before_the_rules_moved_to_cases_still_arrive(client, admin_user):
    client.force_login(admin_user)
    rule = TurnaroundRule.objects.get(code="ncqa")

    listing = client.get("/admin/reviews/turnaroundrule/?code=ncqa")
    change = client.get(f"/admin/reviews/turnaroundrule/{rule.pk}/change/", follow=True)

    assert listing.status_code == 301
    assert listing["Location"] == "/admin/cases/turnaroundrule/?code=ncqa"
    assert change.redirect_chain == [(f"/admin/cases/turnaroundrule/{rule.pk}/change/", 301)]
    assert change.status_code == 200
    assert "NCQA" in change.content.decode()


def test_lines_of_business_are_ticked_not_typed(client, admin_user):
    client.force_login(admin_user)

    html = client.get("/admin/cases/turnaroundrule/add/").content.decode()

    assert 'type="checkbox" name="lines_of_business" value="medicare_advantage"' in html


def test_a_rule_in_effect_reads_as_read_only_with_make_a_new_version(client, admin_user):
    """Issue 22, item 8: only its end date can be set; a new version starts from its values."""
    client.force_login(admin_user)
    rule = TurnaroundRule.objects.filter(code="ncqa", effective_from__lte=timezone.localdate()).first()

    html = client.get(f"/admin/cases/turnaroundrule/{rule.pk}/change/").content.decode()

    assert 'id="rule-in-effect"' in html and 'name="effective_to"' in html
    assert 'name="name"' not in html and 'name="effective_from"' not in html
    start = html.index('id="new-version"')
    link = html[html.rindex('href="', 0, start) + 6 : html.index('"', html.rindex('href="', 0, start) + 6)]
    add = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'value="{rule.name}"' in add
