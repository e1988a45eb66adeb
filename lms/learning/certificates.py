"""Certificates of completion as PDF (fpdf2), in the learner's language, with a verification code.

Fonts, shaping and fallbacks come from lms.pdf, shared by every PDF the portal makes.
"""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF

from lms.pdf import LANGUAGE_SCRIPT, RTL, SCRIPT_FONTS, register_fonts


def _known_languages() -> set[str]:
    return set(current_app.config["LANGUAGES"])


def _pdf() -> FPDF:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(False)
    register_fonts(pdf)
    pdf.set_text_shaping(True)
    return pdf


def certificate_pdf(cert, requested_lang: str) -> bytes:
    """The certificate as PDF bytes, written in the learner's language."""
    lang = requested_lang if requested_lang in _known_languages() else "en"
    script = LANGUAGE_SCRIPT.get(lang, "latin")
    title = cert.course_title.get(lang) or cert.course_title.get("en") or cert.course_slug
    verify_url = url_for("learning.verify", code=cert.code, _external=True)
    instance = current_app.config["INSTANCE_NAME"]
    with force_locale(lang):
        texts = {
            "heading": _("Certificate of completion"),
            "certifies": _("This certifies that"),
            "completed": _("has completed the course"),
            "on": _("Completed on %(date)s", date=format_date(cert.completed_on, "long")),
            "valid": _("Valid until %(date)s", date=format_date(cert.expires_on, "long"))
            if cert.expires_on
            else "",
            "code": _("Verification code: %(code)s", code=cert.code),
            "check": _("Check this certificate at %(url)s", url=verify_url),
        }
    pdf = _pdf()
    # Text in another script (a Latin name on a Nepali certificate) falls back to its own font.
    pdf.set_fallback_fonts([s for s in SCRIPT_FONTS if s != script], exact_match=False)
    pdf.set_title(texts["heading"])
    pdf.set_author(instance)
    # The code is also in the document's properties, where software and people can read it.
    pdf.set_subject(texts["code"])
    pdf.set_keywords(f"verification {cert.code}")
    pdf.set_lang(lang)
    pdf.add_page()
    pdf.set_draw_color(31, 95, 168)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, 269, 182)
    if lang in RTL:
        pdf.set_text_shaping(True, direction="rtl")

    def line(text: str, size: float, style: str = "", gap: float = 4, family: str | None = None):
        pdf.set_font(family or script, style, size)
        pdf.set_x(20)
        pdf.multi_cell(257, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(28)
    pdf.set_text_color(31, 95, 168)
    line(instance, 14, "B", 8, family="latin")
    line(texts["heading"], 30, "B", 10)
    pdf.set_text_color(27, 31, 36)
    line(texts["certifies"], 15, "", 4)
    line(cert.holder_name, 26, "B", 6, family="latin")
    line(texts["completed"], 15, "", 4)
    line(title, 22, "B", 10)
    line(texts["on"], 14, "", 2)
    if texts["valid"]:
        line(texts["valid"], 14, "", 2)
    pdf.set_y(168)
    pdf.set_text_color(89, 99, 110)
    line(texts["code"], 12, "B", 1)
    line(texts["check"], 10, "", 0)
    return bytes(pdf.output())
