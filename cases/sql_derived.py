"""A LEFT JOIN to a derived table (a subquery in FROM), which Django's ORM does not write:
the referral options join the network status of each practitioner and organization from
one DISTINCT ON query each, read once per query, instead of a correlated subquery per row
(cases.selectors_directory)."""

from django.db.models.expressions import Col
from django.db.models.sql.constants import LOUTER


class DerivedJoin:
    """`LEFT OUTER JOIN (<subquery>) <alias> ON <alias>.<key> = <parent_alias>.<parent_column>`
    in a Query's alias_map (the entries must provide table_name, table_alias, join_type,
    parent_alias, as_sql and relabeled_clone: django.db.models.sql.datastructures.Join)."""

    join_type = LOUTER
    nullable = True
    filtered_relation = None

    def __init__(self, subquery, table_alias: str, parent_alias: str, parent_column: str, key: str):
        self.subquery = subquery
        self.table_name = table_alias
        self.table_alias = table_alias
        self.parent_alias = parent_alias
        self.parent_column = parent_column
        self.key = key

    def as_sql(self, compiler, connection):
        sql, params = self.subquery.get_compiler(connection=connection).as_sql()
        qn, qn2 = compiler.quote_name_unless_alias, connection.ops.quote_name
        alias = qn(self.table_alias)
        on = f"{alias}.{qn2(self.key)} = {qn(self.parent_alias)}.{qn2(self.parent_column)}"
        return f"{self.join_type} ({sql}) {alias} ON ({on})", tuple(params)

    def relabeled_clone(self, change_map):
        return self.__class__(
            self.subquery,
            change_map.get(self.table_alias, self.table_alias),
            change_map.get(self.parent_alias, self.parent_alias),
            self.parent_column,
            self.key,
        )

    # Query.promote_joins/demote_joins: a LEFT JOIN stays one (no relation lookup votes on it).
    def promote(self):
        return self

    def demote(self):
        return self


def derived_join(queryset, subquery, *, alias: str, parent_alias: str, parent_column: str, key: str):
    """`queryset` (a clone) LEFT JOINed to `subquery` (a QuerySet) as `alias` on its column
    `key` = `parent_alias`.`parent_column`; read its columns with `derived_col`."""
    queryset = queryset.all()
    query = queryset.query
    query.get_initial_alias()
    join = DerivedJoin(subquery.query, alias, parent_alias, parent_column, key)
    query.alias_map[alias] = join
    query.alias_refcount[alias] = 1
    query.table_map[join.table_name] = [alias]
    return queryset


def derived_col(alias: str, field):
    """The column of `field` (a model field the subquery selects under its own name) of the
    derived table `alias`."""
    return Col(alias, field)
