"""`{% queue_rows page.rows supervisor %}`: the work queue's table rows, written here rather
than as template nodes (issue #13). As nodes the 50 rows cost 20 ms of the page's 67 at
10k cases: a thousand variable lookups, a hundred date formats and fifty URL reversals.
The markup is the template's, cell for cell; every value is escaped as autoescape would."""

import uuid
from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from cases.models import AuthorizationRequest, Coverage
from um_portal import timefmt
from um_portal.models import User

from .clock_tags import due_class, time_left

register = template.Library()

# Reversed once per table, then filled in per row: the same URL as {% url 'reviews:case' pk %}.
_PLACEHOLDER = uuid.UUID(int=0)


def _labels(model, field: str) -> dict:
    # What get_<field>_display shows, read once.
    return dict(model._meta.get_field(field).flatchoices)


_STATUS = _labels(AuthorizationRequest, "status")
_SERVICE = _labels(AuthorizationRequest, "service_category")
_CHANGE = _labels(AuthorizationRequest, "change_kind")
_LINE_OF_BUSINESS = _labels(Coverage, "line_of_business")


@register.simple_tag
def queue_rows(rows, supervisor: bool = False) -> str:
    """One <tr> per case (rows of reviews.selectors.queue_values_page with QUEUE_PAGE_VALUES,
    QUEUE_PAGE_RELATED and lines); `supervisor` adds the reassign tick box."""
    now = timezone.now()
    url = reverse("reviews:case", args=[_PLACEHOLDER])
    return mark_safe("".join(_row(case, supervisor=supervisor, now=now, url=url) for case in rows))


def _row(case: dict, *, supervisor: bool, now, url: str) -> str:
    # escape() is html.escape, as Django's autoescape (quotes too); numbers and ids need none.
    pk, reference = str(case["id"]), escape(case["reference"])
    due = case["decision_due_at"]
    when = escape(timefmt.when(due))
    pick = (
        f'<td><input type="checkbox" name="case" value="{pk}:{case["version"]}" form="bulk-reassign" id="pick-{pk}"'
        f' aria-label="Tick {reference} to reassign"></td>'
        if supervisor
        else ""
    )
    escalated = ' <span class="badge due-over">Escalated</span>' if case["overdue_at"] else ""
    change = (
        '<br><span class="badge badge-change" title="A change to an existing authorization">'
        f"Change: {escape(_CHANGE.get(case['change_kind'], case['change_kind']))}</span>"
        if case["change_of_id"]
        else ""
    )
    member, coverage = case["member"], case["coverage"]
    plan = (
        f" · {escape(_LINE_OF_BUSINESS.get(coverage['line_of_business'], coverage['line_of_business']))}"
        f" · {escape(coverage['state'])}"
        if coverage
        else ""
    )
    lines = "".join(
        f'<br><span class="muted">{escape(code_system)} {escape(code)}'
        f"{f' · {escape(description)}' if description else ''}</span>"
        for code_system, code, description in case["lines"]
    )
    urgency = '<span class="badge badge-urgent">Expedited</span>' if case["urgency"] == "expedited" else "Standard"
    assignee = (
        escape(_display_name(case["assigned_to"])) if case["assigned_to"] else '<span class="muted">nobody</span>'
    )
    return (
        f"<tr>{pick}"
        f'<td class="{due_class(due, now)}" title="{when}">{escape(time_left(due, now))}{escalated}'
        f'<br><span class="muted">{when}</span></td>'
        f'<td><a href="{url.replace(str(_PLACEHOLDER), pk)}">{reference}</a>{change}</td>'
        f"<td>{escape(member['first_name'])} {escape(member['last_name'])}"
        f'<br><span class="muted">{escape(member["member_number"])}{plan}</span></td>'
        f"<td>{escape(_SERVICE.get(case['service_category'], case['service_category']))}{lines}</td>"
        f"<td>{urgency}</td>"
        f'<td><span class="badge">{escape(_STATUS.get(case["status"], case["status"]))}</span></td>'
        f"<td>{assignee}</td>"
        f"<td>{escape(case['requesting_organization']['name'])}</td>"
        "</tr>\n"
    )


def _display_name(values: dict) -> str:
    # um_portal.models.User.display_name, from the columns read (the one rule for it).
    return User(**values).display_name
