"""The reviewer's case page: the per-rule breakdown and the extension form; the queue flag."""

from datetime import timedelta

from django.utils import timezone

from notifications.services.deadline_sweep import deadline_sweep_run
from reviews.models import Extension
from tests.factories import CoverageFactory, MemberFactory


def case_in(make_case, state: str, lob: str = "commercial", **kwargs):
    member = MemberFactory(state=state)
    CoverageFactory(member=member, state=state, line_of_business=lob)
    return make_case(member=member, start_date=timezone.localdate() + timedelta(days=20), **kwargs)


def test_case_page_shows_each_rule_and_the_extension_form(client, nurse, make_case):
    case = case_in(make_case, "MD")
    client.force_login(nurse)

    html = client.get(f"/reviews/cases/{case.pk}/").content.decode()

    assert 'id="clock-breakdown"' in html
    assert "Maryland Insurance" in html and "NCQA UM 5" in html
    assert 'id="form-extend"' in html


def test_nurse_extends_from_the_case_page(client, nurse, make_case):
    case = case_in(make_case, "VA", lob="medicare_advantage")
    client.force_login(nurse)

    response = client.post(
        f"/reviews/cases/{case.pk}/extend/", {"ground": "member_request", "reason": "Member asked."}, follow=True
    )

    extension = Extension.objects.get(case=case)
    assert extension.rule == "cms_ma"
    html = response.content.decode()
    assert "Deadline extended to" in html
    assert 'id="extension"' in html and 'id="form-extend"' not in html


def test_refused_extension_explains_why_on_the_case_page(client, nurse, make_case):
    case = case_in(make_case, "CA")
    client.force_login(nurse)

    response = client.post(
        f"/reviews/cases/{case.pk}/extend/", {"ground": "member_request", "reason": "Need records."}, follow=True
    )

    assert "delay notice" in response.content.decode()
    assert not Extension.objects.exists()


def test_provider_cannot_extend_from_a_page(client, provider, make_case):
    case = case_in(make_case, "VA", lob="medicare_advantage")
    client.force_login(provider)

    response = client.post(f"/reviews/cases/{case.pk}/extend/", {"ground": "member_request", "reason": "Please."})

    assert response.status_code == 403
    assert not Extension.objects.exists()


def test_queue_flags_escalated_cases(client, nurse, make_case):
    overdue = case_in(
        make_case, "VA", urgency="expedited", expedited_reason="Pain.", received_at=timezone.now() - timedelta(hours=80)
    )
    on_time = case_in(make_case, "VA")
    deadline_sweep_run()
    client.force_login(nurse)

    html = client.get("/reviews/queue/").content.decode()

    row = html[html.index(overdue.reference) - 400 : html.index(overdue.reference)]
    assert "Escalated" in row
    assert html.count("Escalated</span>") == 1
    assert on_time.reference in html
