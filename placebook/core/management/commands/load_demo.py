import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from placebook.core.actors import SystemActor
from placebook.core.audit import acting_as
from placebook.core.demo import DEMO_PASSWORD, DEMO_USERS, DemoDataError

# Each subsystem adds its demo data with a ``demo.load(by=..., with_users=...)`` function;
# core goes first because every other app refers to its areas and organisations.
DEMO_APPS = ["core", "indicators", "market", "purchasing", "contracts", "community", "scrutiny"]


class Command(BaseCommand):
    help = "Load the Sefton demo data (idempotent; all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-demo-users",
            action="store_true",
            help="Create one sign-in per role with a public password (always on when DEBUG=1).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and roll back.")

    def handle(self, *args, with_demo_users=False, dry_run=False, **options):
        with_users = with_demo_users or settings.DEBUG
        by = SystemActor("load_demo")
        try:
            with transaction.atomic(), acting_as(by):
                for app in DEMO_APPS:
                    try:
                        module = importlib.import_module(f"placebook.{app}.demo")
                    except ModuleNotFoundError as exc:
                        if exc.name != f"placebook.{app}.demo":
                            raise
                        continue
                    counts = module.load(by=by, with_users=with_users)
                    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
                    self.stdout.write(f"{app}: {summary}")
                if dry_run:
                    transaction.set_rollback(True)
        except DemoDataError as exc:
            raise CommandError(f"Nothing was loaded: {exc}") from exc
        if dry_run:
            self.stdout.write("Dry run: checked and rolled back.")
        elif with_users:
            self.stdout.write(f"Demo sign-ins (password {DEMO_PASSWORD}):")
            for username, *_rest, role, _org, _limit in DEMO_USERS:
                self.stdout.write(f"  {username:<13} {role.label}")
