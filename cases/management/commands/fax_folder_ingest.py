"""File the faxes waiting in the watched folder now (what the beat task does every minute)."""

from django.core.management.base import BaseCommand, CommandError

from cases.services.fax_folder import SETTLE_SECONDS, fax_folder_ingest


class Command(BaseCommand):
    help = "File PDF/TIFF faxes dropped in FAX_INBOX_DIR (or --dir) into the fax inbox; safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="The folder to read (default: FAX_INBOX_DIR).")
        parser.add_argument(
            "--settle",
            type=float,
            default=SETTLE_SECONDS,
            help=f"Skip files written less than this many seconds ago (default {SETTLE_SECONDS}).",
        )

    def handle(self, *args, **options):
        result = fax_folder_ingest(directory=options["dir"], settle_seconds=options["settle"])
        if not result.enabled:
            raise CommandError(result.message)
        summary = result.as_dict()
        self.stdout.write(
            f"Filed {summary['filed']}, rejected {summary['rejected']}, already filed {summary['already']}, "
            f"left for the next run {summary['left']}."
        )
