"""Text for the exercise screens: shipped Noto fonts, Arabic shaping, right-to-left lines.

pygame-ce shapes complex scripts when a font is given a script and a direction
(``Font.set_script("Arab")``, ``Font.set_direction(pygame.DIRECTION_RTL)``). A line mixing
scripts is cut into runs: Arabic runs are shaped right to left with Noto Sans Arabic, Latin
words and numbers stay left to right in Noto Sans, and the runs are placed in the paragraph's
direction (a small subset of the Unicode bidirectional algorithm, enough for our texts).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

import pygame

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = {
    ("latin", False): "NotoSans-Regular.ttf",
    ("latin", True): "NotoSans-Bold.ttf",
    ("arabic", False): "NotoSansArabic-Regular.ttf",
    ("arabic", True): "NotoSansArabic-Bold.ttf",
}
RTL_LANGUAGES = frozenset({"ar", "ur", "fa", "he"})
_MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")


def is_arabic(ch: str) -> bool:
    code = ord(ch)
    return (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    )


def _strong(ch: str) -> str:
    if "0" <= ch <= "9":
        return "D"
    if is_arabic(ch):
        return "R"
    if ch.isalnum():
        return "L"
    return "N"


def bidi_runs(text: str, rtl: bool) -> list[tuple[str, str]]:
    """Split a line into (direction, text) runs in logical order.

    R: Arabic letters (shaped right to left); L: other letters; D: numbers (always drawn left
    to right, and counted as right-to-left when resolving neutrals in an RTL paragraph, as the
    Unicode algorithm does). Separators inside a number ("3/3", "12:00") and a percent sign
    after it stay with the number; other neutrals take the direction around them.
    """
    if not text:
        return []
    classes = [_strong(ch) for ch in text]
    n = len(classes)
    for i in range(1, n):
        if (
            classes[i] == "N"
            and classes[i - 1] == "D"
            and (text[i] in "%‰" or (text[i] in "/:.," and i + 1 < n and classes[i + 1] == "D"))
        ):
            classes[i] = "D"
    # a number after Latin text belongs to it ("B2", "UNMIC 2024"), as rule W7 of the algorithm
    last_strong = "R" if rtl else "L"
    for i in range(n):
        if classes[i] in ("L", "R"):
            last_strong = classes[i]
        elif classes[i] == "D" and last_strong == "L":
            classes[i] = "L"
    base = "R" if rtl else "L"

    def resolved(kind: str) -> str:
        return base if kind == "D" else kind

    i = 0
    while i < n:
        if classes[i] != "N":
            i += 1
            continue
        j = i
        while j < n and classes[j] == "N":
            j += 1
        before = resolved(classes[i - 1]) if i > 0 else base
        after = resolved(classes[j]) if j < n else base
        fill = before if before == after else base
        for k in range(i, j):
            classes[k] = fill
        i = j
    runs: list[tuple[str, str]] = []
    start = 0
    for k in range(1, n + 1):
        if k == n or classes[k] != classes[start]:
            runs.append((classes[start], text[start:k]))
            start = k
    return runs


class Typesetter:
    """Renders lines of text to surfaces, with caching; the one place that touches fonts."""

    def __init__(self, lang: str = "en", cache_size: int = 1500):
        self.lang = lang
        self.rtl = lang in RTL_LANGUAGES
        self._fonts: dict[tuple[str, bool, int], pygame.font.Font] = {}
        self._glyphs: dict[tuple[int, str], bool] = {}
        self._cache: OrderedDict = OrderedDict()
        self._wrapped: OrderedDict = OrderedDict()
        self._cache_size = cache_size

    def font(self, script: str, bold: bool, size: int) -> pygame.font.Font:
        key = (script, bold, size)
        font = self._fonts.get(key)
        if font is None:
            font = pygame.font.Font(str(FONT_DIR / FONT_FILES[(script, bold)]), size)
            if script == "arabic":
                font.set_script("Arab")
                font.set_direction(pygame.DIRECTION_RTL)
            self._fonts[key] = font
        return font

    def _has_glyph(self, size: int, ch: str) -> bool:
        key = (size, ch)
        known = self._glyphs.get(key)
        if known is None:
            font = self.font("arabic", False, size)
            # a missing glyph is drawn as the font's "notdef" box: compare with one
            missing = font.metrics("\uffff")
            metrics = font.metrics(ch)
            known = bool(metrics) and metrics[0] is not None and metrics != missing
            self._glyphs[key] = known
        return known

    def _segments(self, text: str, size: int) -> list[tuple[str, str, bool]]:
        """(script, text, rtl) pieces in logical order."""
        pieces = []
        for direction, run in bidi_runs(text, self.rtl):
            if direction in ("L", "D"):
                pieces.append(("latin", run, False))
                continue
            # Arabic run: characters the Arabic font lacks are drawn with the Latin font
            current, buf = None, []
            for ch in run:
                script = "arabic" if (is_arabic(ch) or self._has_glyph(size, ch)) else "latin"
                if script != current and buf:
                    pieces.append((current, "".join(buf), True))
                    buf = []
                current = script
                buf.append(ch)
            if buf:
                pieces.append((current, "".join(buf), True))
        return pieces

    def _render_piece(self, script, text, rtl, size, bold, color):
        font = self.font(script, bold, size)
        if script == "latin" and rtl:
            text = text[::-1].translate(_MIRROR)
        return font.render(text, True, color)

    def render(self, text: str, size: int, color, bold: bool = False) -> pygame.Surface:
        """One line of text as a transparent surface."""
        key = (text, size, tuple(color), bold)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        pieces = [
            self._render_piece(s, t, r, size, bold, color) for s, t, r in self._segments(text, size)
        ]
        height = max(
            [p.get_height() for p in pieces] + [self.font("latin", bold, size).get_linesize()]
        )
        width = sum(p.get_width() for p in pieces)
        surface = pygame.Surface((max(1, width), height), pygame.SRCALPHA)
        x = width if self.rtl else 0
        for piece in pieces:
            y = (height - piece.get_height()) // 2
            if self.rtl:
                x -= piece.get_width()
                surface.blit(piece, (x, y))
            else:
                surface.blit(piece, (x, y))
                x += piece.get_width()
        self._cache[key] = surface
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return surface

    def width(self, text: str, size: int, bold: bool = False) -> int:
        return self.render(text, size, (255, 255, 255), bold).get_width()

    def line_height(self, size: int) -> int:
        return int(self.font("latin", False, size).get_linesize() * 1.05)

    def wrap(self, text: str, size: int, max_width: int, bold: bool = False) -> list[str]:
        """Break text into lines no wider than ``max_width`` (words kept whole when possible)."""
        key = (text, size, max_width, bold)
        cached = self._wrapped.get(key)
        if cached is None:
            cached = self._wrap(text, size, max_width, bold)
            self._wrapped[key] = cached
            if len(self._wrapped) > self._cache_size:
                self._wrapped.popitem(last=False)
        return list(cached)

    def _wrap(self, text: str, size: int, max_width: int, bold: bool) -> tuple[str, ...]:
        lines: list[str] = []
        for paragraph in text.split("\n"):
            words = paragraph.split()
            line = ""
            for word in words:
                candidate = f"{line} {word}" if line else word
                if not line or self._measure(candidate, size, bold) <= max_width:
                    line = candidate
                else:
                    lines.append(line)
                    line = word
            lines.append(line)
        return tuple(lines)

    def _measure(self, text: str, size: int, bold: bool) -> int:
        total = 0
        for script, piece, _ in self._segments(text, size):
            total += self.font(script, bold, size).size(piece)[0]
        return total

    def draw(
        self,
        target: pygame.Surface,
        text: str,
        size: int,
        color,
        rect: pygame.Rect,
        bold: bool = False,
        align: str = "start",
        valign: str = "top",
    ) -> int:
        """Draw one line inside ``rect``; ``start`` means left in LTR and right in RTL."""
        surf = self.render(text, size, color, bold)
        if surf.get_width() > rect.width > 0:
            # too long for its box: keep the start of the line (the right end in RTL)
            keep = pygame.Rect(
                surf.get_width() - rect.width if self.rtl else 0, 0, rect.width, surf.get_height()
            )
            surf = surf.subsurface(keep)
        if align == "center":
            x = rect.centerx - surf.get_width() // 2
        elif (align == "start") != self.rtl:
            x = rect.x
        else:
            x = rect.right - surf.get_width()
        y = rect.centery - surf.get_height() // 2 if valign == "center" else rect.y
        target.blit(surf, (x, y))
        return surf.get_height()

    def draw_wrapped(
        self,
        target,
        text,
        size,
        color,
        rect,
        bold=False,
        align="start",
        max_lines: int | None = None,
    ) -> int:
        """Draw wrapped text from the top of ``rect``; return the height used."""
        lines = self.wrap(text, size, rect.width, bold)
        if max_lines is not None and len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = lines[-1].rstrip(" .،") + "…"
        step = self.line_height(size)
        y = rect.y
        for line in lines:
            if y + step > rect.bottom + 2:
                break
            self.draw(
                target, line, size, color, pygame.Rect(rect.x, y, rect.width, step), bold, align
            )
            y += step
        return y - rect.y
