"""Dashboards as PDF, for committee papers: the same table as the page and the downloads,
with the rule for reading it and the source of the figures on the first page."""

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from placebook.indicators.dashboards import Dashboard
from placebook.indicators.exports import table


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def dashboard_pdf(dashboard: Dashboard, release, rows) -> bytes:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=6.5, leading=8)
    header, body = table(dashboard.slug, rows)
    data = [[Paragraph(f"<b>{h}</b>", small) for h in header]]
    data += [[Paragraph(_text(cell), small) for cell in line] for line in body]
    width = landscape(A4)[0] - 20 * mm
    grid = Table(data, repeatRows=1, colWidths=[width / len(header)] * len(header))
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#b1b4b6")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    source = release.title if release else "No release loaded"
    story = [
        Paragraph(dashboard.title, styles["Title"]),
        Paragraph(dashboard.purpose, styles["BodyText"]),
        Paragraph(f"<b>How to read it:</b> {dashboard.rule}", styles["BodyText"]),
        Paragraph(f"<b>Figures from:</b> {source}", styles["BodyText"]),
        Spacer(1, 4 * mm),
        grid,
    ]
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=dashboard.title,
        author="Placebook",
    )
    document.build(story)
    return out.getvalue()
