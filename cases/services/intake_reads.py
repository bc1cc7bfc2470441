"""The reads the intake's checks need, a fixed few whatever the request (issue #13): the
member with their coverages in one, the organizations and practitioners named by NPI with
their agreements in one."""

from django.db.models import FilteredRelation, Q

from ..models import Coverage, Member, Practitioner, ProviderAgreement, ProviderOrganization
from ..selectors import member_find
from ..validators import npi_is_valid


def member_with_coverages(*, member_number: str, date_of_birth) -> Member | None:
    """The member (number and date of birth must both match) with their coverages, in one
    read: the coverages joined to their member; a member without any coverage in a second."""
    if not member_number or date_of_birth is None:
        return None
    coverages = list(
        Coverage.objects.select_related("member")
        .filter(member__member_number=member_number.strip().upper(), member__date_of_birth=date_of_birth)
        .order_by("-effective_date", "-pk")
    )
    if not coverages:
        return member_find(member_number=member_number, date_of_birth=date_of_birth)
    member = coverages[0].member
    for coverage in coverages:
        coverage.member = member
    member._prefetched_objects_cache = {"coverages": coverages}
    return member


def npis_resolve(npis) -> dict[str, tuple]:
    """{npi: (organization, practitioner or None)} for the valid NPIs given, each
    organization with its agreements, in one read whatever the NPIs: the organizations
    named by NPI or employing a practitioner named by NPI, with that practitioner's and
    the organization's agreements' columns joined (a few rows: one per practitioner and
    agreement)."""
    wanted = sorted({n for n in ((npi or "").strip() for npi in npis) if npi_is_valid(n)})
    if not wanted:
        return {}
    alias = connection_alias()
    columns = {
        "": [f.attname for f in ProviderOrganization._meta.concrete_fields],
        "named__": [f.attname for f in Practitioner._meta.concrete_fields],
        "agreements__": [f.attname for f in ProviderAgreement._meta.concrete_fields],
    }
    rows = (
        ProviderOrganization.objects.annotate(
            named=FilteredRelation("practitioners", condition=Q(practitioners__npi__in=wanted))
        )
        .filter(Q(npi__in=wanted) | Q(named__isnull=False))
        .order_by()
        .values_list(*(prefix + name for prefix, names in columns.items() for name in names))
    )
    organizations: dict[int, ProviderOrganization] = {}
    agreements: dict[int, dict] = {}
    found: dict[str, tuple] = {}
    for row in rows:
        parts, start = {}, 0
        for prefix, names in columns.items():
            parts[prefix], start = row[start : start + len(names)], start + len(names)
        organization = organizations.get(parts[""][0])
        if organization is None:
            organization = ProviderOrganization.from_db(alias, columns[""], parts[""])
            organizations[organization.pk] = organization
            agreements[organization.pk] = {}
        if organization.npi in wanted:
            found.setdefault(organization.npi, (organization, None))
        if parts["named__"][0] is not None:  # a practitioner of this organization was named
            practitioner = Practitioner.from_db(alias, columns["named__"], parts["named__"])
            practitioner.organization = organization
            found[practitioner.npi] = (organization, practitioner)
        if parts["agreements__"][0] is not None:
            agreement = ProviderAgreement.from_db(alias, columns["agreements__"], parts["agreements__"])
            agreements[organization.pk][agreement.pk] = agreement
    for pk, organization in organizations.items():
        organization._prefetched_objects_cache = {
            "agreements": sorted(agreements[pk].values(), key=lambda a: (a.effective_date, a.pk), reverse=True)
        }
    return found


def connection_alias() -> str:
    return ProviderOrganization.objects.db
