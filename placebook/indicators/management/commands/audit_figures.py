"""Print the consistency audit of published figures as CSV."""

import csv
import io

from django.core.management.base import BaseCommand, CommandError

from placebook.indicators.consistency import CSV_HEADER, RULES, audit
from placebook.indicators.models import Release


class Command(BaseCommand):
    help = (
        "Recompute the derived figures of the stored papers (differences, totals, "
        "percentages, products, arrows, ranks, z-scores, counts) and print every figure that "
        "does not follow from the data, or is printed twice with different values, as CSV. "
        "Exits 0 whatever it finds: the findings are the output, not a failure."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--release",
            action="append",
            metavar="KEY",
            help="Only findings that involve this release (repeat for several).",
        )
        parser.add_argument(
            "--rules", action="store_true", help="List the rule codes and what each checks."
        )

    def handle(self, *args, release=None, rules=False, **options):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if rules:
            writer.writerow(["rule", "description"])
            writer.writerows([rule.code, rule.description] for rule in RULES.values())
        else:
            if release:
                known = set(Release.objects.filter(key__in=release).values_list("key", flat=True))
                unknown = sorted(set(release) - known)
                if unknown:
                    raise CommandError(f"Unknown release: {', '.join(unknown)}.")
            writer.writerow(CSV_HEADER)
            writer.writerows(finding.csv_row() for finding in audit(release))
        self.stdout.write(buffer.getvalue(), ending="")
