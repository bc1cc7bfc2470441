"""Reading a user with their groups and granted permissions in one statement (issue #13):
the SQL written once per process from the models' own tables and columns, and the model
instances made from its row as Django would make them. Token authentication reads the
token with them (um_portal.api_tokens); a signed-in session reads the user with them
(um_portal.auth_backends). PostgreSQL only (the groups come back as arrays)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from .roles import granted_held_sql, user_grants_remember, user_groups_remember


class RowParts:
    """The columns of several models' rows side by side in one SELECT, and how to make the
    instances back: each model's concrete fields in order, with Django's converters."""

    def __init__(self, *aliased_models):
        self.parts = []  # (model, fields, [(index, col, converters)])
        self.columns = []
        qn = connection.ops.quote_name
        for alias, model in aliased_models:
            fields = list(model._meta.concrete_fields)
            converters = []
            for i, field in enumerate(fields):
                col = field.get_col(model._meta.db_table)
                found = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
                if found:
                    converters.append((i, col, found))
                self.columns.append(f"{alias}.{qn(field.column)}")
            self.parts.append((model, fields, converters))

    def objects(self, row) -> tuple[list, int]:
        """The instances of `row`'s parts (None for a part whose primary key is NULL, an
        outer join that found nothing) and the offset of the columns after them."""
        objects, offset = [], 0
        for model, fields, converters in self.parts:
            values = list(row[offset : offset + len(fields)])
            offset += len(fields)
            for i, col, found in converters:
                for converter in found:
                    values[i] = converter(values[i], col, connection)
            objects.append(
                model.from_db(connection.alias, [f.attname for f in fields], values) if values[0] is not None else None
            )
        return objects, offset


def role_columns(user_id_sql: str) -> list[str]:
    """Three columns of the user whose id is `user_id_sql` (an SQL expression): the ids and
    the names of their groups, as arrays in the same order, and the array of the granted
    permissions they hold (um_portal.roles.granted_held_sql)."""
    qn = connection.ops.quote_name
    memberships = get_user_model()._meta.get_field("groups")
    through = memberships.remote_field.through._meta
    group = Group._meta
    groups_of = (
        f"FROM {qn(group.db_table)} g JOIN {qn(through.db_table)} m "
        f"ON m.{qn(memberships.m2m_reverse_name())} = g.{qn(group.pk.column)} "
        f"WHERE m.{qn(memberships.m2m_column_name())} = {user_id_sql} "
        f"ORDER BY g.{qn(group.pk.column)}"
    )
    return [
        f"ARRAY(SELECT g.{qn(group.pk.column)} {groups_of})",  # noqa: S608 - names are the models'
        f"ARRAY(SELECT g.{qn(group.get_field('name').column)} {groups_of})",  # noqa: S608 - names are the models'
        granted_held_sql(user_id_sql),
    ]


def role_remember(user, row, offset: int) -> None:
    """Keep on `user` the groups and granted permissions that `role_columns` put at
    `offset` of `row`."""
    group_ids, group_names, granted = row[offset : offset + 3]
    user_groups_remember(user, zip(group_ids, group_names, strict=True))
    user_grants_remember(user, granted)
