"""Phone numbers in templates, always from the configured lines (never literals).

{% load contact_tags %}
{% case_contact case %}           the line to call about this case now (urgent → urgent line)
{% contact_phone "criteria_copy" %}   the number for an inquiry kind
"""

from django import template

from cases.models import Urgency
from notifications.contact.routing import phone_for, route_inquiry
from notifications.models import InquiryKind

register = template.Library()


def case_inquiry(case) -> str:
    """Expedited cases still open go to the urgent pre-service line; others ask about the
    status of their authorization."""
    if getattr(case, "urgency", None) == Urgency.EXPEDITED and case.is_open:
        return InquiryKind.URGENT_AUTHORIZATION
    return InquiryKind.AUTHORIZATION_STATUS


@register.inclusion_tag("notifications/_case_contact.html")
def case_contact(case, at=None, heading=""):
    """Five queries (the routing table); `heading` replaces "Questions about this request?"."""
    coverage = getattr(case, "coverage", None)
    inquiry = case_inquiry(case)
    route = route_inquiry(
        inquiry=inquiry, at=at, line_of_business=coverage.line_of_business if coverage is not None else None
    )
    return {"route": route, "urgent": inquiry == InquiryKind.URGENT_AUTHORIZATION, "heading": heading}


@register.simple_tag
def contact_phone(inquiry: str, line_of_business: str | None = None) -> str:
    return phone_for(inquiry=inquiry, line_of_business=line_of_business)
