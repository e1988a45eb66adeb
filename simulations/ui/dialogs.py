"""Overlay dialogs: decision per team, inject details, release inject, note, end."""

from __future__ import annotations

import pygame

from simulations.engine import AddNote, Decide, End, ReleaseInject, tr
from simulations.engine.model import SAGE_FIELDS
from simulations.ui.scenes import (
    ACCENT,
    BAD,
    BG,
    KIND_COLOURS,
    MUTED,
    PANEL,
    PANEL_HI,
    TEXT,
    WARN,
    Button,
    Scene,
    clock_text,
    handle_buttons,
    panel,
)
from simulations.ui.strings import colon, comma, t


class Overlay(Scene):
    """A dialog drawn over the board, which stays visible (dimmed) behind it."""

    opaque = False
    width_share = 0.8
    height_share = 0.84

    def __init__(self, app):
        super().__init__(app)
        self.box = pygame.Rect(0, 0, 10, 10)
        self.buttons: list[Button] = []
        self._veil: pygame.Surface | None = None

    def layout(self) -> None:
        w, h = self.app.size
        self.box = pygame.Rect(0, 0, int(w * self.width_share), int(h * self.height_share))
        self.box.center = (w // 2, h // 2)
        self._veil = pygame.Surface((w, h), pygame.SRCALPHA)
        self._veil.fill((0, 0, 0, 150))

    def close(self) -> None:
        self.app.stack.remove(self)

    def handle_event(self, event) -> None:
        super().handle_event(event)
        if event.type == pygame.KEYDOWN and event.key == pygame.K_ESCAPE:
            self.close()
            return
        handle_buttons(self.buttons, event)

    def draw_frame(self, surface, border=ACCENT) -> pygame.Rect:
        surface.blit(self._veil, (0, 0))
        panel(surface, self.box, BG, border)
        return self.box.inflate(-self.app.fs * 2, -self.app.fs * 2)


class DecisionScene(Overlay):
    """The decision dialog of one team: prompt and options, keys 1-9 or mouse."""

    def __init__(self, app, decision_id: str):
        super().__init__(app)
        self.decision_id = decision_id
        self.point = app.scenario.decision(decision_id)
        self.prompt_lines: list[str] = []
        self.body = pygame.Rect(0, 0, 0, 0)

    def layout(self) -> None:
        super().layout()
        app, fs = self.app, self.app.fs
        self.body = self.box.inflate(-fs * 2, -fs * 2)
        size = int(fs * 1.1)
        self.prompt_lines = app.text.wrap(
            tr(self.point.prompt, app.lang), size, self.body.width, bold=True
        )
        y = self.body.y + int(fs * 2.2) + len(self.prompt_lines) * app.text.line_height(size) + fs
        bottom = self.body.bottom - int(fs * 1.6)
        n = len(self.point.options)
        gap = fs // 2
        height = max(int(fs * 2.4), (bottom - y - gap * (n - 1)) // n)
        height = min(height, int(fs * 4.6))
        self.buttons = []
        for i, option in enumerate(self.point.options):
            rect = pygame.Rect(self.body.x, y, self.body.width, height)
            label = f"{i + 1}. {tr(option.label, app.lang)}"
            self.buttons.append(
                Button(rect, label, self._chooser(option.id), pygame.K_1 + i, PANEL)
            )
            y += height + gap

    def _chooser(self, option_id: str):
        return lambda: self.choose(option_id)

    def choose(self, option_id: str) -> None:
        app = self.app
        app.send(Decide(self.decision_id, option_id, self.point.team))
        app.show_toast(t("decision_recorded", app.lang))
        self.close()

    def update(self, dt: float) -> None:
        record = self.app.state.decisions.get(self.decision_id)
        if record is None or record.status != "open":
            self.close()  # timed out or exercise ended while the dialog was open

    def draw(self, surface) -> None:
        app, fs, lang = self.app, self.app.fs, self.app.lang
        body = self.draw_frame(surface, WARN)
        team = tr(app.scenario.team(self.point.team).name, lang)
        role = tr(app.scenario.role(self.point.role).name, lang)
        head = f"{t('decision_for', lang)}{colon(lang)}{team} · {role}"
        record = app.state.decisions.get(self.decision_id)
        if self.point.timeout is not None and record is not None:
            left = max(0, int(record.opened_at + self.point.timeout - app.state.clock))
            head += f" · {t('time_left', lang)} {left // 60}:{left % 60:02d}"
        app.text.draw(surface, head, fs, WARN, body, True)
        size = int(fs * 1.1)
        y = body.y + int(fs * 2.2)
        for line in self.prompt_lines:
            app.text.draw(
                surface, line, size, TEXT, pygame.Rect(body.x, y, body.width, size * 2), True
            )
            y += app.text.line_height(size)
        for button in self.buttons:
            button.draw(surface, app, self.mouse, int(fs * 0.95), align="start")
        app.text.draw(
            surface,
            t("choose", lang),
            int(fs * 0.75),
            MUTED,
            pygame.Rect(body.x, body.bottom - fs, body.width, fs * 2),
        )


class InjectScene(Overlay):
    """Full text of an inject, with the incident report fields when it has them."""

    def __init__(self, app, inject_id: str):
        super().__init__(app)
        self.inject = app.scenario.inject(inject_id)

    def layout(self) -> None:
        super().layout()
        fs = self.app.fs
        rect = pygame.Rect(0, 0, fs * 8, int(fs * 2))
        rect.bottomright = (self.box.right - fs, self.box.bottom - fs // 2)
        self.buttons = [
            Button(
                self.app.mirror(rect, within=self.box),
                t("close", self.app.lang),
                self.close,
                pygame.K_RETURN,
            )
        ]

    def draw(self, surface) -> None:
        app, fs, lang = self.app, self.app.fs, self.app.lang
        inject = self.inject
        colour = KIND_COLOURS.get(inject.kind, MUTED)
        body = self.draw_frame(surface, colour)
        when = app.state.released.get(inject.id)
        head = t("kind_" + inject.kind, lang)
        if when is not None:
            head = f"{clock_text(app.scenario.start_time, when)} · {head}"
        if inject.sender:
            head += f" · {t('from', lang)}{colon(lang)}{tr(inject.sender, lang)}"
        app.text.draw(surface, head, fs, colour, body, True)
        y = body.y + int(fs * 1.8)
        y += app.text.draw_wrapped(
            surface,
            tr(inject.title, lang),
            int(fs * 1.2),
            TEXT,
            pygame.Rect(body.x, y, body.width, fs * 4),
            True,
        )
        y += fs // 2
        y += app.text.draw_wrapped(
            surface,
            tr(inject.text, lang),
            fs,
            TEXT,
            pygame.Rect(body.x, y, body.width, body.bottom - y),
        )
        if inject.sage is not None:
            y += fs // 2
            app.text.draw(
                surface,
                t("incident_report", lang),
                fs,
                WARN,
                pygame.Rect(body.x, y, body.width, fs * 2),
                True,
            )
            y += int(fs * 1.5)
            label_w = body.width // 4
            small = int(fs * 0.85)
            for name in SAGE_FIELDS:
                if y > body.bottom - int(fs * 2.5):
                    break
                label_rect = app.mirror(pygame.Rect(body.x, y, label_w, small * 2), within=body)
                value_rect = app.mirror(
                    pygame.Rect(
                        body.x + label_w, y, body.width - label_w, body.bottom - y - fs * 2
                    ),
                    within=body,
                )
                app.text.draw(surface, t(name, lang), small, MUTED, label_rect, True)
                used = app.text.draw_wrapped(
                    surface,
                    tr(getattr(inject.sage, name), lang),
                    small,
                    TEXT,
                    value_rect,
                    max_lines=2,
                )
                y += max(used, app.text.line_height(small)) + 2
        for button in self.buttons:
            button.draw(surface, app, self.mouse)


class ReleaseScene(Overlay):
    """Controller control: release any inject that has not been released yet."""

    def __init__(self, app):
        super().__init__(app)
        self.first = 0
        self.waiting: list = []

    def layout(self) -> None:
        super().layout()
        app, fs = self.app, self.app.fs
        body = self.box.inflate(-fs * 2, -fs * 2)
        y = body.y + int(fs * 2)
        height = int(fs * 2.2)
        self.buttons = []
        waiting = [i for i in app.scenario.injects if i.id not in app.state.released]
        waiting.sort(key=lambda i: (not i.manual, i.at if i.at is not None else 1e9))
        self.waiting = waiting
        self.first = max(0, min(self.first, len(waiting) - 1))
        for n, inject in enumerate(waiting[self.first :]):
            if y + height > body.bottom - fs:
                break
            if inject.manual:
                status = t("manual", app.lang)
            elif inject.at is not None:
                status = f"{t('scheduled', app.lang)} " + clock_text(
                    app.scenario.start_time, app.state.release_at.get(inject.id, inject.at)
                )
            else:
                status = t("conditional", app.lang)
            label = f"{self.first + n + 1}. {tr(inject.title, app.lang)} ({status})"
            key = pygame.K_1 + n if n < 9 else None
            colour = PANEL_HI if inject.manual else PANEL
            self.buttons.append(
                Button(
                    pygame.Rect(body.x, y, body.width, height),
                    label,
                    self._releaser(inject.id),
                    key,
                    colour,
                )
            )
            y += height + fs // 3

    def scroll(self, rows: int) -> None:
        last = max(0, len(self.waiting) - len(self.buttons))
        self.first = max(0, min(last, self.first + rows))
        self.layout()

    def handle_event(self, event) -> None:
        if event.type == pygame.MOUSEWHEEL:
            self.scroll(-event.y)
            return
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_DOWN, pygame.K_PAGEDOWN):
            self.scroll(1 if event.key == pygame.K_DOWN else len(self.buttons))
            return
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_UP, pygame.K_PAGEUP):
            self.scroll(-1 if event.key == pygame.K_UP else -len(self.buttons))
            return
        super().handle_event(event)

    def _releaser(self, inject_id: str):
        def release():
            self.app.send(ReleaseInject(inject_id))
            self.close()

        return release

    def draw(self, surface) -> None:
        app, fs, lang = self.app, self.app.fs, self.app.lang
        body = self.draw_frame(surface)
        app.text.draw(surface, t("release_title", lang), int(fs * 1.2), ACCENT, body, True)
        if not self.buttons:
            app.text.draw(
                surface,
                t("nothing_to_release", lang),
                fs,
                MUTED,
                pygame.Rect(body.x, body.y + fs * 3, body.width, fs * 2),
            )
        for button in self.buttons:
            button.draw(surface, app, self.mouse, int(fs * 0.85), align="start")
        if self.first + len(self.buttons) < len(self.waiting):
            app.text.draw(
                surface,
                t("more_below", lang),
                int(fs * 0.75),
                MUTED,
                pygame.Rect(body.x, body.bottom - fs, body.width, fs * 2),
            )


class NoteScene(Overlay):
    """Controller control: type an observer note; it goes into the timeline."""

    height_share = 0.45

    def __init__(self, app):
        super().__init__(app)
        self.text = ""

    def enter(self) -> None:
        super().enter()
        pygame.key.start_text_input()

    def leave(self) -> None:
        pygame.key.stop_text_input()

    def save(self) -> None:
        if self.text.strip():
            self.app.send(AddNote(self.text))
        self.close()

    def layout(self) -> None:
        super().layout()
        fs = self.app.fs
        w = fs * 9
        save = pygame.Rect(self.box.right - fs - w, self.box.bottom - int(fs * 3), w, int(fs * 2))
        cancel = save.move(-(w + fs), 0)
        lang = self.app.lang
        self.buttons = [
            Button(
                self.app.mirror(save, within=self.box),
                t("save", lang),
                self.save,
                pygame.K_RETURN,
                PANEL_HI,
            ),
            Button(self.app.mirror(cancel, within=self.box), t("cancel", lang), self.close),
        ]

    def handle_event(self, event) -> None:
        if event.type == pygame.TEXTINPUT:
            self.text = (self.text + event.text)[:500]
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_BACKSPACE:
            self.text = self.text[:-1]
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_KP_ENTER:
            self.save()
            return
        super().handle_event(event)

    def draw(self, surface) -> None:
        app, fs, lang = self.app, self.app.fs, self.app.lang
        body = self.draw_frame(surface)
        app.text.draw(surface, t("note_title", lang), int(fs * 1.2), ACCENT, body, True)
        app.text.draw(
            surface,
            t("note_help", lang),
            int(fs * 0.8),
            MUTED,
            pygame.Rect(body.x, body.y + int(fs * 1.7), body.width, fs * 2),
        )
        field = pygame.Rect(body.x, body.y + int(fs * 3.2), body.width, body.height - int(fs * 6.5))
        panel(surface, field, PANEL, ACCENT)
        app.text.draw_wrapped(surface, self.text + "|", fs, TEXT, field.inflate(-fs, -fs // 2))
        for button in self.buttons:
            button.draw(surface, app, self.mouse)


class ConfirmEndScene(Overlay):
    """Controller control: end the exercise (after a confirmation)."""

    height_share = 0.4
    width_share = 0.6

    def layout(self) -> None:
        super().layout()
        fs, lang = self.app.fs, self.app.lang
        w = int(self.box.width * 0.4)
        yes = pygame.Rect(self.box.x + fs, self.box.bottom - int(fs * 3.2), w, int(fs * 2.4))
        no = pygame.Rect(self.box.right - fs - w, yes.y, w, yes.height)
        self.buttons = [
            Button(
                self.app.mirror(yes, within=self.box), t("yes", lang), self.confirm, pygame.K_y, BAD
            ),
            Button(self.app.mirror(no, within=self.box), t("no", lang), self.close, pygame.K_n),
        ]

    def confirm(self) -> None:
        self.close()
        self.app.send(End())

    def handle_event(self, event) -> None:
        if event.type == pygame.KEYDOWN and event.key == pygame.K_RETURN:
            self.confirm()
            return
        super().handle_event(event)

    def draw(self, surface) -> None:
        app, fs = self.app, self.app.fs
        body = self.draw_frame(surface, BAD)
        app.text.draw_wrapped(
            surface,
            t("confirm_end", app.lang),
            int(fs * 1.1),
            TEXT,
            pygame.Rect(body.x, body.y, body.width, fs * 5),
            True,
        )
        for button in self.buttons:
            button.draw(surface, app, self.mouse)


class BriefingScene(Overlay):
    """Shown before the clock starts: situation, mandate reminders, teams and roles."""

    width_share = 0.9
    height_share = 0.9

    def layout(self) -> None:
        super().layout()
        fs = self.app.fs
        rect = pygame.Rect(0, 0, fs * 10, int(fs * 2.4))
        rect.bottomright = (self.box.right - fs, self.box.bottom - fs // 2)
        self.buttons = [
            Button(
                self.app.mirror(rect, within=self.box),
                t("start", self.app.lang),
                self.start,
                pygame.K_RETURN,
                PANEL_HI,
            )
        ]

    def start(self) -> None:
        self.close()
        self.app.holding = False

    def handle_event(self, event) -> None:
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_SPACE, pygame.K_ESCAPE):
            self.start()
            return
        super().handle_event(event)

    def draw(self, surface) -> None:
        app, fs, lang = self.app, self.app.fs, self.app.lang
        scenario = app.scenario
        body = self.draw_frame(surface)
        y = body.y
        y += app.text.draw_wrapped(
            surface,
            tr(scenario.title, lang),
            int(fs * 1.3),
            ACCENT,
            pygame.Rect(body.x, y, body.width, fs * 4),
            True,
        )
        y += fs // 2
        y += app.text.draw_wrapped(
            surface,
            tr(scenario.summary, lang),
            fs,
            TEXT,
            pygame.Rect(body.x, y, body.width, fs * 5),
            True,
        )
        y += fs // 2
        teams_h = int(fs * 1.3) * (len(scenario.teams) + 1) + fs * 3
        y += app.text.draw_wrapped(
            surface,
            tr(scenario.briefing, lang),
            int(fs * 0.85),
            TEXT,
            pygame.Rect(body.x, y, body.width, body.bottom - y - teams_h),
        )
        y += fs // 2
        small = int(fs * 0.85)
        for team in scenario.teams:
            roles = comma(lang).join(tr(scenario.role(r).name, lang) for r in team.roles)
            app.text.draw(
                surface,
                f"{tr(team.name, lang)}{colon(lang)}{roles}",
                small,
                WARN,
                pygame.Rect(body.x, y, body.width, small * 2),
                True,
            )
            y += app.text.line_height(small)
        app.text.draw(
            surface,
            t("keys_help", lang),
            int(fs * 0.75),
            MUTED,
            pygame.Rect(body.x, self.buttons[0].rect.y - int(fs * 1.4), body.width, fs * 2),
        )
        for button in self.buttons:
            button.draw(surface, app, self.mouse)
