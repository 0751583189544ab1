import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from placebook.purchasing.models import PurchasingSystem, SystemStatus
from placebook.purchasing.ocds import release_package


class Command(BaseCommand):
    help = (
        "Write purchasing as an OCDS 1.1 release package (JSON): systems, call-offs, direct "
        "awards and spot purchases. Never includes the people packages are bought for."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="File to write (default: stdout).")
        parser.add_argument(
            "--system",
            action="append",
            dest="systems",
            metavar="KEY",
            help="Only this purchasing system and its call-offs; repeat for more.",
        )

    def handle(self, *args, output=None, systems=None, **options):
        chosen = None
        if systems:
            chosen = list(PurchasingSystem.objects.filter(key__in=systems))
            found = {s.key: s for s in chosen}
            if missing := sorted(set(systems) - set(found)):
                raise CommandError(f"No purchasing system with key: {', '.join(missing)}")
            if drafts := sorted(k for k, s in found.items() if s.status == SystemStatus.DRAFT):
                raise CommandError(f"Draft systems are not published: {', '.join(drafts)}")
        package = release_package(systems=chosen)
        text = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        output.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {len(package['releases'])} releases to {output}")
