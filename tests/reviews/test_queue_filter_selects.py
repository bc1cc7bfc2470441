"""The work queue's filters (reviews.forms.queue_filter_selects): Django's Select markup,
written without a form per page (issue #13), the applied value selected and every label
escaped."""

from types import SimpleNamespace

import pytest
from django import forms

from cases.models import LineOfBusiness, ServiceCategory, Urgency
from reviews.forms import queue_filter_selects, reviewer_label
from reviews.selectors import NURSE_STATUSES, PHYSICIAN_STATUSES, QueueFilters


def _reviewer(username, display_name, open_load):
    return SimpleNamespace(username=username, display_name=display_name, open_load=open_load)


REVIEWERS = [_reviewer("ann", "Ann <Nurse> & co", 3), _reviewer("bo", 'Bo "B" Smith', 0)]


def _django_select(name: str, choices, value: str) -> str:
    return str(forms.Select(choices=choices).render(name, value, attrs={"id": f"id_{name}"}))


def _markup(html: str) -> list[str]:
    # The same elements in the same order: the whitespace between tags set aside.
    return [line.strip() for line in html.splitlines() if line.strip()]


def _choices(kind: str) -> dict:
    """Each filter's choices, as the page offers them (the models' own lists)."""
    statuses = NURSE_STATUSES if kind == "nurse" else PHYSICIAN_STATUSES
    reviewers = [(u.username, reviewer_label(u)) for u in REVIEWERS]
    return {
        "urgency": [("", "Any"), *Urgency.choices],
        "service_category": [("", "Any"), *ServiceCategory.choices],
        "status": [("", "Any"), *((s.value, s.label) for s in statuses)],
        "assignee": [("", "Any"), ("me", "Me"), ("none", "Nobody"), *reviewers],
        "line_of_business": [("", "Any"), *LineOfBusiness.choices],
        "due": [("", "Any"), ("soon", "Within a day or overdue")],
    }


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"urgency": "expedited", "assignee": "ann"},
        {"status": "in_review", "due": "soon", "line_of_business": "medicaid", "service_category": "imaging"},
        {"assignee": "none", "status": "not-a-status"},
    ],
)
@pytest.mark.parametrize("kind", ["nurse", "physician"])
def test_each_select_is_what_djangos_select_renders(params, kind):
    filters = QueueFilters.from_params(params)

    shown = queue_filter_selects(kind=kind, reviewers=REVIEWERS, filters=filters)

    assert [f["label"] for f in shown] == [
        "Urgency", "Service category", "Status", "Assigned to", "Line of business", "Due"
    ]  # fmt: skip
    for field, (name, choices) in zip(shown, _choices(kind).items(), strict=True):
        assert field["id"] == f"id_{name}"
        assert _markup(field["select"]) == _markup(_django_select(name, choices, getattr(filters, name))), name


def test_the_applied_value_is_selected_and_labels_are_escaped():
    filters = QueueFilters.from_params({"assignee": "ann", "urgency": "expedited"})

    shown = {f["id"]: f["select"] for f in queue_filter_selects(kind="nurse", reviewers=REVIEWERS, filters=filters)}

    assert '<option value="ann" selected>Ann &lt;Nurse&gt; &amp; co (3 open)</option>' in shown["id_assignee"]
    assert "Bo &quot;B&quot; Smith" in shown["id_assignee"]
    assert '<option value="expedited" selected>Expedited</option>' in shown["id_urgency"]
    assert '<option value="" selected>Any</option>' in shown["id_status"]
    assert shown["id_status"].count(" selected") == 1
    # A value no option has selects nothing
    bogus = queue_filter_selects(kind="nurse", reviewers=(), filters=QueueFilters.from_params({"due": "later"}))
    assert " selected" not in bogus[-1]["select"]
