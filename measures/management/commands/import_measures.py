from django.core.management.base import BaseCommand

from measures.importing import import_measures
from measures.management.commands.import_values import add_import_arguments, find_user, read_file, report


class Command(BaseCommand):
    help = (
        "Import the framework (priorities, objectives, measures, breakdowns) from a CSV or XLSX "
        "file laid out like demo/framework.csv. All or nothing; exit code 1 on any row error."
    )

    def add_arguments(self, parser):
        add_import_arguments(parser)

    def handle(self, *args, **options):
        summary = import_measures(
            source=read_file(options["file"]),
            filename=options["file"],
            user=find_user(options["user"]),
            dry_run=options["dry_run"],
        )
        report(self, summary)
