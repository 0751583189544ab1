from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from placebook.core.actors import SystemActor
from placebook.core.audit import acting_as
from placebook.indicators.definitions import DefinitionError, load_definitions


class Command(BaseCommand):
    help = "Create or update indicators from placebook/indicators/definitions/*.json."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Check and roll back.")

    def handle(self, *args, dry_run=False, **options):
        try:
            with transaction.atomic(), acting_as(SystemActor("import_indicators")):
                result = load_definitions()
                if dry_run:
                    transaction.set_rollback(True)
        except DefinitionError as exc:
            raise CommandError(f"No indicators were changed: {exc}") from exc
        verb = "Would create" if dry_run else "Created"
        self.stdout.write(
            f"{verb} {result.created}, updated {result.updated}, unchanged {result.unchanged}."
        )
