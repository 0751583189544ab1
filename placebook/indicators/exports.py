"""Dashboard tables as flat rows, for CSV and Excel downloads (the same rows the page shows)."""

import csv
import io

from openpyxl import Workbook

from placebook.indicators.dashboards import AscofRow, ProviderRow, PublicHealthRow


def _public_health(rows: list[PublicHealthRow]):
    header = [
        "Indicator", "Area", "Sex", "Baseline", "Baseline period", "Previous", "Previous period",
        "Latest", "Latest period", "Direction of travel", "Previous NW rank", "Latest NW rank",
        "NW rank change", "NW rank basis", "Previous SNG rank", "Latest SNG rank",
        "SNG rank change", "SNG rank basis",
        "Z-score (as published)", "Updated this edition",
    ]  # fmt: skip
    body = []
    for r in rows:
        nw, sng = r.ranks["North West"], r.ranks["Statistical neighbours"]
        body.append([
            r.indicator.name, r.subject, r.sex, r.baseline.number, r.baseline.period,
            r.previous.number, r.previous.period, r.latest.number, r.latest.period,
            r.direction.words, nw.before, nw.after, nw.rating.label, nw.basis, sng.before,
            sng.after, sng.rating.label, sng.basis,
            r.z_score.number if r.z_score else None, "Yes" if r.updated else "No",
        ])  # fmt: skip
    return header, body


def _adult_social_care(rows: list[AscofRow]):
    header = ["Measure", "Better when", "Sefton", "Sefton period"]
    names = [c.name for c in rows[0].comparisons] if rows else []
    for name in names:
        header += [name, f"{name} period", f"Difference from {name}", f"Good direction vs {name}"]
    body = []
    for r in rows:
        line = [
            r.indicator.name,
            r.indicator.get_polarity_display(),
            r.sefton.number,
            r.sefton.period,
        ]
        for c in r.comparisons:
            good = "" if c.good is None else ("Yes" if c.good else "No")
            line += [c.value.number, c.value.period, c.difference, good]
        body.append(line)
    return header, body


def _provider(rows: list[ProviderRow]):
    header = [
        "Indicator", "Provider or area", "Period", "Performance", "Cheshire and Merseyside",
        "England", "Target", "Rating", "Why",
    ]  # fmt: skip
    body = [
        [
            r.indicator.name,
            r.provider,
            r.performance.period,
            r.performance.text,
            r.cheshire_and_merseyside.text,
            r.england.text,
            r.target,
            r.rating.status.value,
            r.rating.label,
        ]
        for r in rows
    ]
    return header, body


TABLES = {
    "public-health": _public_health,
    "adult-social-care": _adult_social_care,
    "provider-performance": _provider,
}


def table(slug: str, rows) -> tuple[list[str], list[list]]:
    """The dashboard as a header and rows of plain values, for every download format."""
    return TABLES[slug](rows)


def to_csv(slug: str, rows) -> str:
    header, body = table(slug, rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue()


def to_xlsx(slug: str, title: str, rows) -> bytes:
    header, body = table(slug, rows)
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for line in body:
        sheet.append(line)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
