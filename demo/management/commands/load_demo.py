from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.loading import USERS, demo_is_loaded, load_demo


class Command(BaseCommand):
    help = "Load the demo data (the seed quarter and demo users). Refuses to run with DEBUG off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep-existing",
            action="store_true",
            help="Do nothing if the demo was loaded before, so edits made since are kept.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo creates users with a known password, so it only runs with DEBUG=1."
            )
        if options["keep_existing"] and demo_is_loaded():
            self.stdout.write("Demo data already loaded: keeping it and any changes made since.")
            return
        load_demo(stdout=self.stdout)
        names = ", ".join(username for username, *_ in USERS)
        self.stdout.write(
            self.style.SUCCESS(f"Demo loaded. Sign in as {names} with the password from DEMO_PASSWORD.")
        )
