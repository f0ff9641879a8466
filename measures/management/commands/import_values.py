"""Import figures; its helpers are shared with import_measures."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from measures.importing import import_values


def add_import_arguments(parser) -> None:
    parser.add_argument("file", help="a CSV or XLSX file in the exchange format (data-format.md)")
    parser.add_argument(
        "--dry-run", action="store_true", help="check the file and report; write nothing"
    )
    parser.add_argument(
        "--user", metavar="USERNAME",
        help="record this user as the one who entered the figures (default: nobody)",
    )


def read_file(path: str) -> bytes:
    """The file, read no further than one byte past the upload limit (it may be /dev/zero)."""
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    try:
        with Path(path).open("rb") as handle:
            content = handle.read(limit + 1)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}") from None
    if len(content) > limit:
        raise CommandError(
            f"{path} is larger than IMPORT_MAX_UPLOAD_BYTES ({limit:,} bytes): split it into smaller files"
        )
    return content


def find_user(username: str | None):
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(f"There is no user called {username}") from None


def report(command, summary) -> None:
    """Print what the import did, or every row error and fail (exit code 1)."""
    if summary.errors:
        for error in summary.errors:
            command.stderr.write(str(error))
        count = len(summary.errors)
        raise CommandError(f"{count:,} error{'s' if count != 1 else ''}: nothing was imported")
    notes = "".join(f"; {note}" for note in summary.notes)
    if summary.dry_run:
        command.stdout.write(f"Dry run, nothing written: would import {summary.counts}{notes}")
    else:
        command.stdout.write(command.style.SUCCESS(f"Imported {summary.counts}{notes}"))


class Command(BaseCommand):
    help = (
        "Import figures from a CSV or XLSX file in the exchange format. All or nothing: any row "
        "error is printed with its row and column, nothing is written and the exit code is 1."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, **options):
        summary = import_values(
            source=read_file(options["file"]),
            filename=options["file"],
            user=find_user(options["user"]),
            dry_run=options["dry_run"],
        )
        report(self, summary)
