from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from placebook.core.actors import SystemActor
from placebook.indicators.fingertips import (
    ImportRejected,
    RowError,
    import_fingertips_csv,
    import_xlsx,
    upload_release,
)


def error_table(errors: list[RowError], width: int = 40) -> list[str]:
    """The problems as a plain-text table, one line each, values cut to ``width``."""

    def cut(text: str) -> str:
        text = text.replace("\n", " ")
        return text if len(text) <= width else text[: width - 1] + "…"

    rows = [("Row", "Column", "Value", "Problem")]
    rows += [(str(e.row), e.column, cut(e.value), e.message) for e in errors]
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [
        f"{r[0]:>{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}".rstrip()
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in [*widths, len("Problem")]))
    return lines


class Command(BaseCommand):
    help = (
        "Load indicator values from a Fingertips-style CSV or an Excel table into a release, "
        "all or nothing: any problem is listed by row and column and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .csv (UTF-8) or .xlsx file.")
        parser.add_argument("--release", required=True, help="Release key; made if new.")
        parser.add_argument("--title", default="", help="Title for a new release.")
        parser.add_argument("--dry-run", action="store_true", help="Check and roll back.")

    def handle(self, *args, file, release, title, dry_run, **options):
        path = Path(file)
        kind = path.suffix.lower()
        if kind not in (".csv", ".xlsx"):
            raise CommandError(f"{path.name}: expected a .csv or .xlsx file.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        by = SystemActor("import_fingertips")
        try:
            with transaction.atomic():
                target, source = upload_release(
                    by=by, key=release, file_name=path.name, title=title
                )
                common = {"by": by, "release": target, "source": source}
                if kind == ".xlsx":
                    report = import_xlsx(file=str(path), **common)
                else:
                    with path.open(newline="", encoding="utf-8-sig") as stream:
                        report = import_fingertips_csv(file=stream, **common)
                if dry_run:
                    transaction.set_rollback(True)
        except ImportRejected as exc:
            self.stderr.write("\n".join(error_table(exc.errors)))
            raise CommandError(
                f"{len(exc.errors)} problem(s) in {path.name}; nothing was imported."
            ) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path.name} is not UTF-8 text: {exc}") from exc
        except ValidationError as exc:
            raise CommandError(f"Release {release!r}: {'; '.join(exc.messages)}") from exc
        verb = "Dry run, rolled back: would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {report.rows} row(s) into {target.key}: {report.created} created, "
            f"{report.revised} revised, {report.unchanged} unchanged."
        )
