"""Scoreboard and after-action review (timeline of injects and decisions with explanations)."""

from __future__ import annotations

import pygame

from simulations.engine import DIMENSION_NAMES, DIMENSIONS, scorecard, tr
from simulations.report import strengths_and_gaps
from simulations.ui.dialogs import Overlay
from simulations.ui.scenes import (
    ACCENT,
    BAD,
    BG,
    BORDER,
    GOOD,
    KIND_COLOURS,
    MUTED,
    PANEL,
    TEXT,
    TONE_COLOURS,
    WARN,
    Scene,
    clock_text,
)
from simulations.ui.strings import colon, comma, t


def _bar(surface, app, rect: pygame.Rect, label: str, value: float, mark: float | None) -> None:
    fs = app.fs
    label_w = int(rect.width * 0.42)
    label_rect = app.mirror(pygame.Rect(rect.x, rect.y, label_w, rect.height), within=rect)
    bar_rect = app.mirror(
        pygame.Rect(
            rect.x + label_w,
            rect.y + rect.height // 5,
            rect.width - label_w - fs * 4,
            rect.height * 3 // 5,
        ),
        within=rect,
    )
    pct_rect = app.mirror(
        pygame.Rect(rect.right - fs * 4, rect.y, fs * 4, rect.height), within=rect
    )
    app.text.draw(surface, label, int(fs * 0.9), TEXT, label_rect, valign="center")
    pygame.draw.rect(surface, PANEL, bar_rect, border_radius=6)
    fill = bar_rect.copy()
    fill.width = int(bar_rect.width * max(0.0, min(1.0, value)))
    if app.rtl:
        fill.right = bar_rect.right
    colour = GOOD if mark is None or value >= mark else (WARN if value >= mark - 0.2 else BAD)
    pygame.draw.rect(surface, colour, fill, border_radius=6)
    if mark is not None:
        x = bar_rect.x + int(bar_rect.width * (1 - mark if app.rtl else mark))
        pygame.draw.line(surface, TEXT, (x, bar_rect.y - 4), (x, bar_rect.bottom + 4), 3)
    pygame.draw.rect(surface, BORDER, bar_rect, 2, border_radius=6)
    app.text.draw(
        surface, f"{round(value * 100)}%", int(fs * 0.9), TEXT, pct_rect, True, "end", "center"
    )


class ScoreboardScene(Overlay):
    """Scores so far by doctrine dimension, by team and overall, against the pass mark."""

    def handle_event(self, event) -> None:
        if event.type == pygame.KEYDOWN and event.key == pygame.K_s:
            self.close()
            return
        super().handle_event(event)

    def draw(self, surface) -> None:
        app, fs, lang = self.app, self.app.fs, self.app.lang
        body = self.draw_frame(surface)
        card = scorecard(app.state)
        mastery = app.mastery_score
        app.text.draw(surface, t("scores", lang), int(fs * 1.3), ACCENT, body, True)
        y = body.y + int(fs * 2.4)
        row = int(fs * 1.9)
        if not card.decisions:
            app.text.draw(
                surface, t("no_scores", lang), fs, MUTED, pygame.Rect(body.x, y, body.width, row)
            )
            y += row
        _bar(
            surface,
            app,
            pygame.Rect(body.x, y, body.width, row),
            t("overall", lang),
            card.overall,
            mastery,
        )
        y += row + fs // 2
        app.text.draw(
            surface,
            f"{t('by_dimension', lang)}  ·  {t('pass_mark', lang)} {round(mastery * 100)}%",
            int(fs * 0.9),
            MUTED,
            pygame.Rect(body.x, y, body.width, row),
            True,
        )
        y += int(fs * 1.4)
        assessed = {d for s in card.decisions for d in s.possible}
        for dim in DIMENSIONS:
            name = tr(DIMENSION_NAMES[dim], lang)
            value = card.by_dimension[dim] if dim in assessed else 0.0
            _bar(
                surface,
                app,
                pygame.Rect(body.x, y, body.width, row),
                name,
                value,
                mastery if dim in assessed else None,
            )
            y += row
        y += fs // 2
        app.text.draw(
            surface,
            t("by_team", lang),
            int(fs * 0.9),
            MUTED,
            pygame.Rect(body.x, y, body.width, row),
            True,
        )
        y += int(fs * 1.4)
        for team in app.scenario.teams:
            if y + row > body.bottom:
                break
            _bar(
                surface,
                app,
                pygame.Rect(body.x, y, body.width, row),
                tr(team.name, lang),
                card.by_team.get(team.id, 0.0),
                mastery if team.id in card.by_team else None,
            )
            y += row


class ReviewScene(Scene):
    """After-action review: ending, score, and the timeline with doctrine explanations."""

    def __init__(self, app):
        super().__init__(app)
        self.offset = 0
        self.blocks: list[tuple[list[tuple[str, int, tuple, bool]], int]] = []
        self.header = pygame.Rect(0, 0, 0, 0)
        self.view = pygame.Rect(0, 0, 0, 0)
        self.content_height = 0

    def layout(self) -> None:
        app, fs, lang = self.app, self.app.fs, self.app.lang
        w, h = app.size
        self.header = pygame.Rect(fs, fs // 2, w - 2 * fs, int(fs * 8.2))
        self.view = pygame.Rect(
            fs, self.header.bottom + fs // 2, w - 2 * fs, h - self.header.bottom - int(fs * 2.2)
        )
        width = self.view.width - 2 * fs
        text = app.text
        scenario = app.scenario
        small, normal = int(fs * 0.8), int(fs * 0.9)
        blocks = []

        def lines(value, size, colour, bold=False, indent=0):
            return [
                (line, size, colour, bold, indent)
                for line in text.wrap(value, size, width - indent, bold)
            ]

        for event in app.state.log:
            when = clock_text(scenario.start_time, event.t)
            entry = []
            if event.kind == "inject_released":
                inject = scenario.inject(event.data["inject"])
                colour = KIND_COLOURS.get(inject.kind, MUTED)
                entry += lines(
                    f"{when} · {t('kind_' + inject.kind, lang)} · {tr(inject.title, lang)}",
                    normal,
                    colour,
                    True,
                )
            elif event.kind in ("decision_made", "decision_missed"):
                point = scenario.decision(event.data["decision"])
                team = tr(scenario.team(point.team).name, lang)
                role = tr(scenario.role(point.role).name, lang)
                scaled = round(event.data["scaled"] * 100)
                entry += lines(f"{when} · {team} · {role} · {scaled}%", normal, WARN, True)
                entry += lines(tr(point.prompt, lang), small, TEXT, False, fs)
                if event.kind == "decision_missed":
                    entry += lines(t("missed", lang), small, BAD, True, fs)
                    best = max(point.options, key=lambda o: sum(o.scores.values()))
                    entry += lines(
                        f"{t('why', lang)}{colon(lang)}{tr(best.explanation, lang)}",
                        small,
                        MUTED,
                        False,
                        fs,
                    )
                else:
                    option = point.option(event.data["option"])
                    scores = " · ".join(
                        f"{tr(DIMENSION_NAMES[d], lang)} {v}/3"
                        for d, v in event.data["scores"].items()
                    )
                    entry += lines(
                        f"{t('chosen', lang)}{colon(lang)}{tr(option.label, lang)}",
                        small,
                        TEXT,
                        True,
                        fs,
                    )
                    entry += lines(scores, small, ACCENT, False, fs)
                    entry += lines(
                        f"{t('why', lang)}{colon(lang)}{tr(option.explanation, lang)}",
                        small,
                        MUTED,
                        False,
                        fs,
                    )
            elif event.kind == "note_added":
                entry += lines(
                    f"{when} · {t('observer_note', lang)}{colon(lang)}{event.data['text']}",
                    small,
                    GOOD,
                    False,
                )
            if entry:
                height = sum(text.line_height(size) for _, size, _, _, _ in entry) + fs // 2
                blocks.append((entry, height))
        self.blocks = blocks
        self.content_height = sum(h for _, h in blocks)

    def scroll(self, amount: int) -> None:
        limit = max(0, self.content_height - self.view.height + self.app.fs)
        self.offset = max(0, min(limit, self.offset + amount))

    def handle_event(self, event) -> None:
        super().handle_event(event)
        fs = self.app.fs
        if event.type == pygame.MOUSEWHEEL:
            self.scroll(-event.y * fs * 3)
        elif event.type == pygame.KEYDOWN:
            if event.key in (pygame.K_DOWN, pygame.K_j):
                self.scroll(fs * 3)
            elif event.key in (pygame.K_UP, pygame.K_k):
                self.scroll(-fs * 3)
            elif event.key == pygame.K_PAGEDOWN:
                self.scroll(self.view.height - fs)
            elif event.key == pygame.K_PAGEUP:
                self.scroll(-(self.view.height - fs))
            elif event.key in (pygame.K_ESCAPE, pygame.K_q):
                self.app.running = False

    def draw(self, surface) -> None:
        app, fs, lang = self.app, self.app.fs, self.app.lang
        surface.fill(BG)
        ending = app.scenario.ending(app.state.ending) if app.state.ending else None
        card = scorecard(app.state)
        success = card.overall >= app.mastery_score
        colour = TONE_COLOURS.get(ending.tone, ACCENT) if ending else ACCENT
        pygame.draw.rect(surface, PANEL, self.header, border_radius=10)
        pygame.draw.rect(surface, colour, self.header, 3, border_radius=10)
        inner = self.header.inflate(-fs * 2, -fs)
        title = f"{t('review', lang)} · {tr(app.scenario.title, lang)}"
        app.text.draw(surface, title, int(fs * 0.9), MUTED, inner, True)
        verdict = f"{round(card.overall * 100)}% · {t('passed' if success else 'failed', lang)}"
        verdict_w = app.text.width(verdict, int(fs * 1.3), True) + fs
        heading = tr(ending.title, lang) if ending else t("ended", lang)
        head_rect = pygame.Rect(
            inner.x, inner.y + int(fs * 1.4), inner.width - verdict_w, int(fs * 2)
        )
        app.text.draw(
            surface, heading, int(fs * 1.3), colour, app.mirror(head_rect, within=inner), True
        )
        app.text.draw(
            surface,
            verdict,
            int(fs * 1.3),
            GOOD if success else BAD,
            app.mirror(
                pygame.Rect(inner.right - verdict_w, head_rect.y, verdict_w, head_rect.height),
                within=inner,
            ),
            True,
            "end",
        )
        if ending:
            app.text.draw_wrapped(
                surface,
                tr(ending.text, lang),
                int(fs * 0.85),
                TEXT,
                pygame.Rect(
                    inner.x, inner.y + int(fs * 3.4), inner.width, inner.height - int(fs * 3.4)
                ),
                max_lines=2,
            )
        good, weak = strengths_and_gaps(app.state, app.mastery_score)
        dims = [
            (t("went_well", lang), good, GOOD),
            (t("to_improve", lang), weak[:2], WARN),
        ]
        parts = [
            f"{label}{colon(lang)}{comma(lang).join(tr(DIMENSION_NAMES[d], lang) for d in found)}"
            for label, found, _ in dims
            if found
        ]
        if parts:
            app.text.draw(
                surface,
                "  ·  ".join(parts),
                int(fs * 0.85),
                ACCENT,
                pygame.Rect(inner.x, inner.bottom - int(fs * 1.2), inner.width, int(fs * 1.4)),
                True,
            )
        # timeline
        pygame.draw.rect(surface, PANEL, self.view, border_radius=10)
        clip = surface.get_clip()
        surface.set_clip(self.view.inflate(-4, -4))
        y = self.view.y + fs // 2 - self.offset
        x = self.view.x + fs
        width = self.view.width - 2 * fs
        for entry, height in self.blocks:
            if y + height < self.view.y:
                y += height
                continue
            if y > self.view.bottom:
                break
            for line, size, line_colour, bold, indent in entry:
                step = app.text.line_height(size)
                rect = app.mirror(
                    pygame.Rect(x + indent, y, width - indent, step), within=self.view
                )
                app.text.draw(surface, line, size, line_colour, rect, bold)
                y += step
            y += fs // 2
        surface.set_clip(clip)
        pygame.draw.rect(surface, BORDER, self.view, 2, border_radius=10)
        app.text.draw(
            surface,
            t("scroll_help", lang),
            int(fs * 0.75),
            MUTED,
            pygame.Rect(fs, self.view.bottom + fs // 3, app.size[0] - 2 * fs, fs * 2),
        )
