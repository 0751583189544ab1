from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from placebook.indicators.fingertips import export_fingertips_csv, export_xlsx
from placebook.indicators.models import Indicator, IndicatorValue


class Command(BaseCommand):
    help = "Write current indicator values as a Fingertips-style CSV or an Excel workbook."

    def add_arguments(self, parser):
        parser.add_argument(
            "--indicator",
            action="append",
            default=[],
            metavar="CODE",
            help="Indicator code or Fingertips ID; repeat for more. Default: every indicator.",
        )
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], help="Default: from -o's suffix, else csv."
        )
        parser.add_argument("-o", "--output", help="File to write; CSV goes to stdout if none.")

    def handle(self, *args, indicator, format, output, **options):
        format = format or ("xlsx" if output and output.lower().endswith(".xlsx") else "csv")
        values = IndicatorValue.objects.current()
        if indicator:
            wanted = Q(code__in=indicator) | Q(
                fingertips_id__in=[int(c) for c in indicator if c.isdigit()]
            )
            found = list(Indicator.objects.filter(wanted))
            known = {i.code for i in found} | {str(i.fingertips_id) for i in found}
            if missing := [c for c in indicator if c not in known]:
                raise CommandError(f"Unknown indicator(s): {', '.join(missing)}.")
            values = values.filter(indicator__in=found)
        if format == "xlsx":
            if not output:
                raise CommandError("An Excel export needs -o FILE.")
            Path(output).write_bytes(export_xlsx(values))
            count = values.count()
        elif output:
            with open(output, "w", newline="", encoding="utf-8") as out:
                count = export_fingertips_csv(values, out)
        else:
            count = export_fingertips_csv(values, self.stdout)
        if output:
            self.stdout.write(f"Wrote {count} value(s) to {output}.")
        else:
            self.stderr.write(f"Wrote {count} value(s).")
