"""Load the provider directory from a CSV file (issue 20): `manage.py load_directory FILE`.

Each row is loaded whole or not at all; rejected rows are listed with their line number and
why. The columns are those of cases.services.directory_csv."""

from django.core.management.base import BaseCommand, CommandError

from cases.services.directory_csv import directory_csv_load
from um_portal.exceptions import DomainError


class Command(BaseCommand):
    help = "Load provider organizations, practitioners, locations, services and network status from a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file (UTF-8) with a header row.")

    def handle(self, *args, path: str, **options):
        try:
            with open(path, encoding="utf-8-sig", newline="") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from None
        try:
            report = directory_csv_load(text=text)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"{report.created} locations added, {report.updated} updated, {len(report.rejected)} rejected."
        )
        for warning in report.warnings:
            self.stdout.write(f"  {warning}")
        for rejected in report.rejected:
            self.stdout.write(f"  line {rejected.line}: {rejected.reason}")
