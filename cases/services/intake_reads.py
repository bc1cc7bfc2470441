"""The reads the intake's checks need, a fixed few whatever the request (issue #13): the
member with their coverages in one, the organizations and practitioners named by NPI with
their agreements in one.

Both run on every submit, so they are SQL over the models' own columns, made into model
instances with `Model.from_db` as the ORM would (none of these columns converts its value
on reading): compiling them through the ORM cost more than running them."""

from functools import cache

from django.db import connection

from um_portal import prepared

from ..models import Coverage, Member, Practitioner, ProviderAgreement, ProviderOrganization
from ..selectors import member_find
from ..validators import npi_is_valid


def member_with_coverages(*, member_number: str, date_of_birth) -> Member | None:
    """The member (number and date of birth must both match) with their coverages, in one
    read: the coverages joined to their member; a member without any coverage in a second."""
    if not member_number or date_of_birth is None:
        return None
    coverage_columns, member_columns = _columns(Coverage, "c"), _columns(Member, "m")
    rows = _rows(
        f"SELECT {coverage_columns.sql}, {member_columns.sql} FROM cases_coverage c "  # noqa: S608 - columns from _meta
        "JOIN cases_member m ON m.id = c.member_id WHERE m.member_number = %s AND m.date_of_birth = %s "
        "ORDER BY c.effective_date DESC, c.id DESC",
        [member_number.strip().upper(), date_of_birth],
    )
    coverages = []
    for row in rows:
        coverage, rest = coverage_columns.instance(row)
        coverage.member = coverages[0].member if coverages else member_columns.instance(rest)[0]
        coverages.append(coverage)
    if not coverages:
        return member_find(member_number=member_number, date_of_birth=date_of_birth)
    member = coverages[0].member
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
    organization_columns = _columns(ProviderOrganization, "o")
    practitioner_columns = _columns(Practitioner, "p")
    agreement_columns = _columns(ProviderAgreement, "a")
    npis_in = ", ".join(["%s"] * len(wanted))
    rows = _rows(
        f"SELECT {organization_columns.sql}, {practitioner_columns.sql}, {agreement_columns.sql} "  # noqa: S608
        "FROM cases_providerorganization o "
        f"LEFT JOIN cases_practitioner p ON p.organization_id = o.id AND p.npi IN ({npis_in}) "
        "LEFT JOIN cases_provideragreement a ON a.organization_id = o.id "
        f"WHERE o.npi IN ({npis_in}) OR p.id IS NOT NULL",
        [*wanted, *wanted],
    )
    organizations: dict[int, ProviderOrganization] = {}
    agreements: dict[int, dict] = {}
    found: dict[str, tuple] = {}
    for row in rows:
        organization, rest = organization_columns.instance(row)
        organization = organizations.setdefault(organization.pk, organization)
        agreements.setdefault(organization.pk, {})
        if organization.npi in wanted:
            found.setdefault(organization.npi, (organization, None))
        practitioner, rest = practitioner_columns.instance(rest)
        if practitioner is not None:  # a practitioner of this organization was named
            practitioner.organization = organization
            found[practitioner.npi] = (organization, practitioner)
        agreement, _rest = agreement_columns.instance(rest)
        if agreement is not None:
            agreements[organization.pk][agreement.pk] = agreement
    for pk, organization in organizations.items():
        organization._prefetched_objects_cache = {
            "agreements": sorted(agreements[pk].values(), key=lambda a: (a.effective_date, a.pk), reverse=True)
        }
    return found


class _Columns:
    """A model's concrete columns under a table alias, and the instance made from its part
    of a row (None when a LEFT JOIN found nothing: its primary key is NULL)."""

    def __init__(self, model, alias: str):
        fields = model._meta.concrete_fields
        self.model = model
        self.names = [f.attname for f in fields]
        self.sql = ", ".join(f'{alias}."{f.column}"' for f in fields)
        self.pk_index = self.names.index(model._meta.pk.attname)

    def instance(self, row):
        values, rest = row[: len(self.names)], row[len(self.names) :]
        if values[self.pk_index] is None:
            return None, rest
        return self.model.from_db(connection.alias, self.names, values), rest


@cache
def _columns(model, alias: str) -> _Columns:
    return _Columns(model, alias)


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        prepared.execute(cursor, sql, params)
        return cursor.fetchall()
