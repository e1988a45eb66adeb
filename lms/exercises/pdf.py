"""The improvement plan of an exercise run as a PDF (fpdf2, Noto fonts of the exercise app)."""

from __future__ import annotations

from flask_babel import format_percent
from flask_babel import gettext as _
from fpdf import FPDF

from lms.config import ROOT

FONTS = ROOT / "simulations" / "ui" / "fonts"


def _pdf(rtl: bool) -> tuple[FPDF, str]:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    family = "helvetica"
    regular, bold = FONTS / "NotoSans-Regular.ttf", FONTS / "NotoSans-Bold.ttf"
    if regular.exists() and bold.exists():
        pdf.add_font("NotoSans", "", str(regular))
        pdf.add_font("NotoSans", "B", str(bold))
        family = "NotoSans"
        arabic = FONTS / "NotoSansArabic-Regular.ttf"
        arabic_bold = FONTS / "NotoSansArabic-Bold.ttf"
        if arabic.exists() and arabic_bold.exists():
            pdf.add_font("NotoSansArabic", "", str(arabic))
            pdf.add_font("NotoSansArabic", "B", str(arabic_bold))
            pdf.set_fallback_fonts(["NotoSansArabic"])
        pdf.set_text_shaping(True, direction="rtl" if rtl else "ltr")
    pdf.add_page()
    return pdf, family


def _line(pdf: FPDF, family: str, text: str, size: int = 10, style: str = "", height: float = 6):
    pdf.set_font(family, style, size)
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _pct(value: float | None) -> str:
    return format_percent(value) if value is not None else "—"


def improvement_plan_pdf(report, title: str, rotation_label: str) -> bytes:
    run = report.run
    pdf, family = _pdf(report.lang in ("ar", "ur"))
    pdf.set_title(f"{_('Improvement plan')}: {title}")
    _line(pdf, family, _("Improvement plan"), 16, "B", 9)
    _line(pdf, family, title, 12, "B", 7)
    facts = [
        f"{_('Rotation')}: {rotation_label}",
        f"{_('Registration')}: {run.registration}",
        f"{_('Overall score')}: {_pct(report.overall)} · {_('Pass mark')}: {_pct(run.mastery_score)}",
    ]
    if report.ending:
        facts.append(f"{_('Ending')}: {report.ending}")
    for fact in facts:
        _line(pdf, family, fact)
    pdf.ln(2)
    _line(pdf, family, _("Results per team"), 12, "B", 8)
    for team in report.teams:
        _line(pdf, family, f"{team.name}: {_pct(team.score)}")
    pdf.ln(2)
    _line(pdf, family, _("Points to improve"), 12, "B", 8)
    if not report.improvements:
        _line(pdf, family, _("Every decision met what doctrine asks."))
    for number, item in enumerate(report.improvements, start=1):
        clock = f"{item.clock} · " if item.clock else ""
        _line(pdf, family, f"{number}. {item.title}", 11, "B", 6)
        _line(pdf, family, f"{clock}{item.team} · {item.role} · {_pct(item.score)}")
        _line(pdf, family, f"{_('Decision taken')}: {item.option}. {item.explanation}".strip())
        if item.best_option:
            _line(pdf, family, f"{_('Next time')}: {item.best_option}. {item.best_explanation}")
        _line(pdf, family, f"{_('Owner')}: {item.role} · {_('Status')}: {_('Open')}")
        pdf.ln(2)
    return bytes(pdf.output())
