"""factory_boy factories for the domain. Synthetic values only."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from cases.models import (
    Coverage,
    InpatientStay,
    LineOfBusiness,
    Member,
    Practitioner,
    ProviderAgreement,
    ProviderOrganization,
)
from cases.validators import npi_is_valid
from reviews.models import PhysicianLicense
from um_portal.models import User


def valid_npi(n: int) -> str:
    """A valid NPI (correct check digit) derived from a sequence number."""
    base = f"1{n:08d}"
    for digit in range(10):
        if npi_is_valid(base + str(digit)):
            return base + str(digit)
    raise AssertionError("unreachable: one check digit always fits")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@um-portal.example")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or "correct-horse-battery")
        if create:
            user.save(update_fields=["password"])


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    member_number = factory.Sequence(lambda n: f"T{200000 + n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    date_of_birth = date(1970, 1, 15)
    sex = "F"
    address_line1 = "1 Test Way"
    city = "Baltimore"
    state = "MD"
    postal_code = "21201"


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    member = factory.SubFactory(MemberFactory)
    plan_name = "Test Choice PPO"
    line_of_business = LineOfBusiness.COMMERCIAL
    state = factory.LazyAttribute(lambda c: c.member.state)
    effective_date = date(2024, 1, 1)
    end_date = None
    # Paid through the end of next year, whatever the day the suite runs.
    premium_paid_through = factory.LazyFunction(lambda: date(timezone.localdate().year + 1, 12, 31))


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderOrganization

    name = factory.Sequence(lambda n: f"Test Practice {n}")
    tin = factory.Sequence(lambda n: f"{510000000 + n}")
    npi = factory.Sequence(lambda n: valid_npi(50000 + n))
    kind = ProviderOrganization.Kind.PRACTICE
    state = "MD"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderAgreement

    organization = factory.SubFactory(OrganizationFactory)
    effective_date = date(2020, 1, 1)


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    npi = factory.Sequence(lambda n: valid_npi(70000 + n))
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    credentials = "MD"
    specialty = "Orthopedic surgery"
    organization = factory.SubFactory(OrganizationFactory)


class InpatientStayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InpatientStay

    member = factory.SubFactory(MemberFactory)
    facility = factory.SubFactory(OrganizationFactory, kind=ProviderOrganization.Kind.HOSPITAL)
    admitted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))


class LicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhysicianLicense

    physician = factory.SubFactory(UserFactory)
    state = "MD"
    number = factory.Sequence(lambda n: f"D{n:07d}")
    issued_on = date(2015, 1, 1)
    expires_on = date(2029, 12, 31)
    board_certification = "American Board of Internal Medicine"


class CriteriaSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "criteria.CriteriaSet"

    name = factory.Sequence(lambda n: f"Test criteria {n}")
    source = "internal"


class CriteriaVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "criteria.CriteriaVersion"

    criteria_set = factory.SubFactory(CriteriaSetFactory)
    version = factory.Sequence(lambda n: f"2026.{n}")
    effective_from = date(2026, 1, 1)
    text = "Medically necessary when at least 12 weeks of conservative treatment failed."
    indications = factory.LazyFunction(lambda: ["Imaging shows advanced disease", "12 weeks of therapy failed"])


def criteria_for_code(code: str, *, code_system: str = "CPT", **version_kwargs):
    """A criteria set applying to `code` with one version (kwargs pass to the version)."""
    from criteria.models import CriteriaCode

    version = CriteriaVersionFactory(**version_kwargs)
    CriteriaCode.objects.create(criteria_set=version.criteria_set, code_system=code_system, code=code)
    return version
