"""Phone numbers printed on letters. They come from the service-line configuration that
administrators edit (notifications.contact.routing, RULES.md section 6), never from literals in
letter templates. A number that is not configured comes back empty, and the required-content
check then holds the letter."""

from ..contact.routing import letter_phones as _configured


def letter_phones(*, line_of_business: str | None = None) -> dict[str, str]:
    """{"member_services", "tty", "criteria_copy", "um_physician", "um", ...} for a member's
    line of business (Medicare members have their own Member Services number)."""
    return _configured(line_of_business=line_of_business or None)
