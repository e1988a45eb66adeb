"""The improvement plan of an exercise run as a PDF (fpdf2; fonts and shaping from lms.pdf)."""

from __future__ import annotations

from functools import partial

from flask_babel import format_percent
from flask_babel import gettext as _
from fpdf import FPDF

from lms.pdf import new_pdf

# Unicode isolates keep identifiers such as the registration left-to-right in Arabic text.
LTR_ISOLATE, POP_ISOLATE = "\u2066", "\u2069"


def _pdf(lang: str) -> tuple[FPDF, str]:
    pdf, family = new_pdf(lang, format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf, family


def _line(
    pdf: FPDF,
    family: str,
    rtl: bool,
    text: str,
    size: int = 10,
    style: str = "",
    height: float = 6,
):
    pdf.set_font(family, style, size)
    align = "R" if rtl else "L"
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT", align=align)


def _pct(value: float | None) -> str:
    return format_percent(value) if value is not None else "—"


def improvement_plan_pdf(report, title: str, rotation_label: str) -> bytes:
    run = report.run
    rtl = report.lang in ("ar", "ur")
    pdf, family = _pdf(report.lang)
    line = partial(_line, pdf, family, rtl)
    pdf.set_title(f"{_('Improvement plan')}: {title}")
    line(_("Improvement plan"), 16, "B", 9)
    line(title, 12, "B", 7)
    facts = [
        f"{_('Rotation')}: {rotation_label}",
        f"{_('Registration')}: {LTR_ISOLATE}{run.registration}{POP_ISOLATE}",
        f"{_('Overall score')}: {_pct(report.overall)} · {_('Pass mark')}: {_pct(run.mastery_score)}",
    ]
    if report.ending:
        facts.append(f"{_('Ending')}: {report.ending}")
    for fact in facts:
        line(fact)
    pdf.ln(2)
    line(_("Results per team"), 12, "B", 8)
    for team in report.teams:
        line(f"{team.name}: {_pct(team.score)}")
    pdf.ln(2)
    line(_("Points to improve"), 12, "B", 8)
    if not report.improvements:
        line(_("Every decision met what doctrine asks."))
    for number, item in enumerate(report.improvements, start=1):
        clock = f"{item.clock} · " if item.clock else ""
        line(f"{number}. {item.title}", 11, "B", 6)
        line(f"{clock}{item.team} · {item.role} · {_pct(item.score)}")
        line(f"{_('Decision taken')}: {item.option}. {item.explanation}".strip())
        if item.best_option:
            line(f"{_('Next time')}: {item.best_option}. {item.best_explanation}")
        line(f"{_('Owner')}: {item.role} · {_('Status')}: {_('Open')}")
        pdf.ln(2)
    return bytes(pdf.output())
