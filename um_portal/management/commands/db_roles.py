"""Create or bring up to date the two database roles (issue 12, item 5; README
"Database roles"): an owner that runs the migrations and an app role that may only
INSERT and SELECT the append-only audit tables.

    python manage.py db_roles --sql                      # print the SQL (no connection)
    python manage.py db_roles --admin-url postgres://postgres@db/um_portal

Passwords come from DB_OWNER_PASSWORD and DB_APP_PASSWORD (never the command line).
Run it before the first `migrate` and again after every `migrate` (it is idempotent)."""

import os

import environ
from django.core.management.base import BaseCommand, CommandError

from um_portal.audit.database import roles_sql


class Command(BaseCommand):
    help = "Create or update the owner and app database roles and their privileges."

    def add_arguments(self, parser):
        parser.add_argument("--owner", default=os.environ.get("DB_OWNER_ROLE", "um_owner"))
        parser.add_argument("--app", default=os.environ.get("DB_APP_ROLE", "um_app"))
        parser.add_argument(
            "--admin-url",
            default=os.environ.get("DATABASE_ADMIN_URL", ""),
            help="A superuser's URL of the portal's database (default: DATABASE_ADMIN_URL).",
        )
        parser.add_argument("--database", default="", help="Database name for --sql (default: from --admin-url).")
        parser.add_argument("--sql", action="store_true", help="Print the SQL instead of running it.")

    def handle(self, *args, owner, app, admin_url, database, sql, **options):
        import psycopg2

        if not sql and not admin_url:
            raise CommandError("Give --admin-url (or DATABASE_ADMIN_URL), or --sql to print the statements.")
        settings = environ.Env.db_url_config(admin_url) if admin_url else {}
        database = database or settings.get("NAME") or "um_portal"
        try:
            statements = roles_sql(
                database=database,
                owner=owner,
                app=app,
                owner_password=os.environ.get("DB_OWNER_PASSWORD", ""),
                app_password=os.environ.get("DB_APP_PASSWORD", ""),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if sql:
            # Printing needs no server: render each statement with a throwaway encoding.
            for statement in statements:
                self.stdout.write(_as_text(statement) + ";")
            return
        connection = psycopg2.connect(
            dbname=database,
            user=settings.get("USER") or None,
            password=settings.get("PASSWORD") or None,
            host=settings.get("HOST") or None,
            port=settings.get("PORT") or None,
        )
        try:
            connection.autocommit = False
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
            connection.commit()
        finally:
            connection.close()
        self.stdout.write(f"Roles {owner} (owner) and {app} (app) are up to date on {database}.")


def _as_text(statement) -> str:
    """A psycopg2 `sql.Composed` as text without a connection (identifiers and literals
    quoted the PostgreSQL way)."""
    from psycopg2 import sql

    if isinstance(statement, sql.Composed):
        return "".join(_as_text(part) for part in statement.seq)
    if isinstance(statement, sql.SQL):
        return statement.string
    if isinstance(statement, sql.Identifier):
        return ".".join('"' + s.replace('"', '""') + '"' for s in statement.strings)
    if isinstance(statement, sql.Literal):
        return "'" + str(statement.wrapped).replace("'", "''") + "'"
    raise TypeError(type(statement))
