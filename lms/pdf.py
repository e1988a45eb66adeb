"""PDF documents (fpdf2) in every language of the portal: one font set-up for all of them.

The fonts ship with the portal (lms/catalog/fonts, SIL Open Font License): Noto Sans for Latin and
Cyrillic, Noto Sans Arabic (Arabic and Urdu), Noto Sans Devanagari (Hindi, Nepali), Noto Sans
Bengali, and a subset of Noto Sans CJK SC for Chinese (made by make_cjk_subset.py). Complex
scripts are shaped with HarfBuzz; text in another script falls back to that script's font.
"""

from __future__ import annotations

from fpdf import FPDF

from lms.config import ROOT

FONTS = ROOT / "lms" / "catalog" / "fonts"
SCRIPT_FONTS = {
    "latin": "NotoSans-{weight}.ttf",
    "arabic": "NotoSansArabic-{weight}.ttf",
    "devanagari": "NotoSansDevanagari-{weight}.ttf",
    "bengali": "NotoSansBengali-{weight}.ttf",
    "cjk": "NotoSansSC-{weight}.otf",
}
LANGUAGE_SCRIPT = {
    "ar": "arabic",
    "ur": "arabic",
    "hi": "devanagari",
    "ne": "devanagari",
    "bn": "bengali",
    "zh": "cjk",
}
RTL = frozenset({"ar", "ur"})


def register_fonts(pdf: FPDF) -> None:
    for script, name in SCRIPT_FONTS.items():
        pdf.add_font(script, "", str(FONTS / name.format(weight="Regular")))
        pdf.add_font(script, "B", str(FONTS / name.format(weight="Bold")))


def new_pdf(lang: str, **options) -> tuple[FPDF, str]:
    """A PDF set up for ``lang``: its script's font, shaping, direction and fallbacks.

    Returns the document and the font family to use for the language's text.
    """
    pdf = FPDF(**options)
    register_fonts(pdf)
    script = LANGUAGE_SCRIPT.get(lang, "latin")
    pdf.set_text_shaping(True, direction="rtl" if lang in RTL else "ltr")
    pdf.set_fallback_fonts([s for s in SCRIPT_FONTS if s != script], exact_match=False)
    pdf.set_lang(lang)
    return pdf, script
