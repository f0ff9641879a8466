from django.core.management.base import BaseCommand, CommandError

from measures import periods
from measures.models import Value
from measures.resources import ValueResource, export_file


class Command(BaseCommand):
    help = "Write figures as CSV in the exchange format to standard output: export_values > FILE"

    def add_arguments(self, parser):
        parser.add_argument("--period", metavar="CODE", help="only this period, e.g. 2020-21-Q3")

    def handle(self, *args, **options):
        queryset = Value.objects.all()
        if options["period"]:
            try:
                code = periods.parse_period(options["period"]).code
            except periods.InvalidPeriod as error:
                raise CommandError(str(error)) from None
            queryset = queryset.filter(period__code=code)
        data = export_file(ValueResource(), queryset, "csv")
        self.stdout.write(data.decode("utf-8"), ending="")
