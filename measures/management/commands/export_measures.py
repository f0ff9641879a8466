from django.core.management.base import BaseCommand

from measures.resources import MeasureResource, export_file


class Command(BaseCommand):
    help = "Write the framework as CSV (the layout of demo/framework.csv) to standard output"

    def handle(self, *args, **options):
        data = export_file(MeasureResource(), None, "csv")
        self.stdout.write(data.decode("utf-8"), ending="")
