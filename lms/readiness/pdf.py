"""The signed readiness report of a rotation, as a PDF (fpdf2)."""

from __future__ import annotations

from flask_babel import format_date, format_datetime, format_percent
from flask_babel import gettext as _
from fpdf import FPDF

from lms.i18n import current_language
from lms.pdf import new_pdf


def _pdf() -> tuple[FPDF, str]:
    pdf, family = new_pdf(current_language(), format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf, family


def readiness_report_pdf(report) -> bytes:
    rotation = report.rotation
    figures = report.figures
    pdf, family = _pdf()
    pdf.set_title(f"Readiness report {rotation.contingent.code} {rotation.number}")
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 9, _("Readiness report"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 11)
    lines = [
        f"{_('Contingent')}: {rotation.contingent.name} ({rotation.contingent.country.name})",
        f"{_('Mission')}: {rotation.contingent.mission.code}",
        f"{_('Rotation')}: {rotation.number}",
        f"{_('Deployment')}: {format_date(rotation.planned_deployment, 'long')}",
        f"{_('People')}: {figures['people']}",
        f"{_('Ready')}: {figures['ready']} ({format_percent(figures['share_ready'])})",
        f"{_('Target')}: {format_percent(figures['target'])}",
    ]
    for line in lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(family, "B", 12)
    pdf.multi_cell(0, 8, _("Completion per requirement"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    with pdf.table(col_widths=(110, 40, 40), text_align=("LEFT", "RIGHT", "RIGHT")) as table:
        table.row([_("Requirement"), _("Met"), _("Of")])
        for item in figures["requirements"]:
            table.row([item["title"], str(item["met"]), str(item["of"])])
    pdf.ln(3)
    pdf.set_font(family, "B", 12)
    pdf.multi_cell(0, 8, _("Ready per sub-unit"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    with pdf.table(col_widths=(110, 40, 40), text_align=("LEFT", "RIGHT", "RIGHT")) as table:
        table.row([_("Sub-unit"), _("Ready"), _("Of")])
        for item in figures["subunits"]:
            table.row([item["name"], str(item["ready"]), str(item["of"])])
    pdf.ln(4)
    if report.note:
        pdf.set_font(family, "B", 11)
        pdf.multi_cell(0, 7, _("Remarks"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        pdf.multi_cell(0, 6, report.note, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.set_font(family, "", 10)
    pdf.multi_cell(
        0,
        6,
        _(
            "Signed by %(name)s on %(date)s.",
            name=report.signed_by.display_name,
            date=format_datetime(report.signed_at, "long"),
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.multi_cell(
        0, 6, _("Report reference: %(ref)s", ref=str(report.id)), new_x="LMARGIN", new_y="NEXT"
    )
    return bytes(pdf.output())
