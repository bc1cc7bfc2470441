"""Phone numbers printed on letters. They come from the service-line configuration that
administrators edit (RULES.md section 6), never from literals in letter templates."""

from cases.models import LineOfBusiness

# Inquiry names shared with the routing API (API.md, /api/v1/contact/route/).
CRITERIA_COPY = "criteria_copy"
ADVERSE_DETERMINATION = "adverse_determination"
MEMBER_SERVICES = "member_services"
AUTHORIZATION_STATUS = "authorization_status"

# Until the service-line configuration lands on main, the shipped demo configuration of
# RULES.md section 6. Replaced by `notifications.routing.phone_for` as soon as it exists.
_SHIPPED = {
    CRITERIA_COPY: "800-810-4766",
    ADVERSE_DETERMINATION: "800-810-4766",
    AUTHORIZATION_STATUS: "800-810-4766",
    MEMBER_SERVICES: "800-777-7902",
}
_SHIPPED_MEDICARE_MEMBER_SERVICES = "888-777-5536"


def letter_phone(inquiry: str, *, line_of_business: str | None = None) -> str:
    """The number a letter gives for `inquiry`, for a member on `line_of_business`."""
    try:
        from notifications.routing import phone_for  # the service-line configuration
    except ImportError:
        phone_for = None
    if phone_for is not None:
        return phone_for(inquiry, line_of_business=line_of_business)
    if inquiry == MEMBER_SERVICES and line_of_business == LineOfBusiness.MEDICARE_ADVANTAGE:
        return _SHIPPED_MEDICARE_MEMBER_SERVICES
    return _SHIPPED[inquiry]
