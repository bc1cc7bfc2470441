"""The choices phone routing is built on: the kinds of call it answers and the days of
its week. Apart from the models so the pure validation (validation.py) can name them."""

from django.db import models


class InquiryKind(models.TextChoices):
    """The kinds of call the routing answers for (API.md, /api/v1/contact/route/)."""

    AUTHORIZATION_REQUEST = "authorization_request", "Authorization request"
    URGENT_AUTHORIZATION = "urgent_authorization", "Urgent (expedited) pre-service authorization"
    AUTHORIZATION_STATUS = "authorization_status", "Status of an authorization"
    CRITERIA_COPY = "criteria_copy", "Copy of the criteria used"
    BENEFIT_DENIAL_QUESTION = "benefit_denial_question", "Question about a benefit denial"
    ADVERSE_DETERMINATION = "adverse_determination", "Talk to a UM physician about an adverse determination"
    MEMBER_SERVICES = "member_services", "Member Services"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"
    # Hours on holidays (federal holidays as observed and whole-day plan closures), for
    # lines open on holidays. Without holiday rows such a line keeps its weekday hours.
    HOLIDAY = 7, "Holidays"
