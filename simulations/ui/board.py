"""The main screen: map board, clock, inject feed, open decisions and controller buttons."""

from __future__ import annotations

import pygame

from simulations.engine import SPEEDS, Pause, Resume, SetSpeed, tr
from simulations.ui.scenes import (
    ACCENT,
    BAD,
    BG,
    BORDER,
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
from simulations.ui.strings import t

LAND = (214, 206, 176)
LAND_EDGE = (150, 140, 110)
ROAD = (120, 108, 92)
SECTOR_COLOURS = [(198, 214, 170), (214, 200, 160), (190, 206, 196), (206, 190, 170)]
PLACE_COLOURS = {
    "camp": (226, 120, 40),
    "base": (40, 90, 200),
    "town": (70, 70, 70),
    "village": (96, 86, 70),
    "gate": (40, 90, 200),
    "checkpoint": (40, 90, 200),
    "market": (150, 70, 150),
    "bridge": (90, 90, 90),
    "route-point": (80, 80, 80),
    "hospital": (200, 40, 40),
}
MARKER_COLOURS = {
    "crowd": (236, 120, 84),
    "cordon": (250, 220, 40),
    "ied": (236, 40, 40),
    "drone": (60, 190, 230),
    "fire": (250, 90, 20),
    "checkpoint": (40, 150, 90),
    "patrol": (91, 146, 229),
    "calm": (88, 196, 128),
    "rumour": (196, 128, 236),
}
UNIT_COLOUR = (40, 100, 220)


class MapView:
    """Draws the scenario map into a rectangle; the static layer is cached per size."""

    def __init__(self, app):
        self.app = app
        self.rect = pygame.Rect(0, 0, 10, 10)
        self._static: pygame.Surface | None = None
        self._taken: list[pygame.Rect] = []

    def set_rect(self, rect: pygame.Rect) -> None:
        if rect != self.rect:
            self.rect = rect.copy()
            self._static = None

    def to_screen(self, pos) -> tuple[int, int]:
        m = self.app.scenario.map
        inner = self.rect.inflate(-16, -16)
        scale = min(inner.width / m.width, inner.height / m.height)
        ox = inner.x + (inner.width - m.width * scale) / 2
        oy = inner.y + (inner.height - m.height * scale) / 2
        return int(ox + pos[0] * scale), int(oy + pos[1] * scale)

    def _build_static(self) -> pygame.Surface:
        app = self.app
        m = app.scenario.map
        surf = pygame.Surface(self.rect.size)
        surf.fill(BG)
        offset = (-self.rect.x, -self.rect.y)

        def local(p):
            x, y = self.to_screen(p)
            return x + offset[0], y + offset[1]

        corners = [
            local((0, 0)),
            local((m.width, 0)),
            local((m.width, m.height)),
            local((0, m.height)),
        ]
        pygame.draw.polygon(surf, LAND, corners)
        small = max(12, int(app.fs * 0.7))
        for i, sector in enumerate(m.sectors):
            pts = [local(p) for p in sector.polygon]
            pygame.draw.polygon(surf, SECTOR_COLOURS[i % len(SECTOR_COLOURS)], pts)
            pygame.draw.polygon(surf, LAND_EDGE, pts, 2)
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            label = app.text.render(tr(sector.name, app.lang), small, (90, 84, 64), True)
            surf.blit(label, (min(xs) + 8, min(ys) + 6))
        width = max(3, app.fs // 4)
        for road in m.roads:
            pts = [local(p) for p in road.points]
            pygame.draw.lines(surf, ROAD, False, pts, width)
        taken: list[pygame.Rect] = []
        for place in m.places:
            x, y = local(place.pos)
            colour = PLACE_COLOURS.get(place.kind, (60, 60, 60))
            r = max(6, app.fs // 3)
            if place.kind in ("base", "gate", "checkpoint"):
                pygame.draw.rect(surf, colour, (x - r, y - r, 2 * r, 2 * r))
                pygame.draw.rect(surf, (255, 255, 255), (x - r, y - r, 2 * r, 2 * r), 2)
            elif place.kind == "camp":
                pygame.draw.polygon(
                    surf, colour, [(x, y - r - 2), (x - r - 2, y + r), (x + r + 2, y + r)]
                )
            else:
                pygame.draw.circle(surf, colour, (x, y), r)
            taken.append(pygame.Rect(x - r, y - r, 2 * r, 2 * r))
        for place in m.places:
            x, y = local(place.pos)
            r = max(6, app.fs // 3)
            label = app.text.render(tr(place.name, app.lang), small, (30, 30, 30))
            spot = _free_spot(label.get_size(), (x, y), r, taken, surf.get_rect())
            taken.append(spot)
            surf.blit(label, spot.topleft)
        self._taken = [t.move(self.rect.topleft) for t in taken]
        return surf

    def draw(self, surface: pygame.Surface, state, highlight: str | None) -> None:
        if self._static is None:
            self._static = self._build_static()
        surface.blit(self._static, self.rect.topleft)
        app = self.app
        scenario = app.scenario
        r = max(10, app.fs // 2)
        tags = []
        for place_id, marker in state.markers.items():
            x, y = self.to_screen(scenario.place(place_id).pos)
            colour = MARKER_COLOURS.get(marker, WARN)
            ring = pygame.Rect(0, 0, 4 * r, 4 * r)
            ring.center = (x, y)
            pygame.draw.ellipse(surface, colour, ring, 4)
            size = max(11, int(app.fs * 0.55))
            tags.append(
                (
                    app.text.render(t("marker_" + marker, app.lang), size, colour, True),
                    (x, y),
                    2 * r,
                )
            )
        if highlight is not None:
            x, y = self.to_screen(scenario.place(highlight).pos)
            pygame.draw.circle(surface, (255, 255, 255), (x, y), 3 * r, 3)
        small = max(11, int(app.fs * 0.6))
        boxes: list[pygame.Rect] = []
        for unit in scenario.map.units:
            box = pygame.Rect(0, 0, int(r * 2.4), int(r * 1.6))
            box.center = self.to_screen(state.unit_pos[unit.id])
            for _ in range(6):  # units on the same spot are drawn side by side
                if box.collidelist(boxes) < 0:
                    break
                box.x += box.width + 3
            boxes.append(box)
            tags.append(
                (
                    app.text.render(tr(unit.name, app.lang), small, (10, 30, 90), True),
                    box.center,
                    box.height // 2,
                )
            )
        for box in boxes:
            pygame.draw.rect(surface, UNIT_COLOUR, box, border_radius=4)
            pygame.draw.rect(surface, (255, 255, 255), box, 2, border_radius=4)
            pygame.draw.line(surface, (255, 255, 255), box.topleft, box.bottomright, 2)
            pygame.draw.line(surface, (255, 255, 255), box.bottomleft, box.topright, 2)
        taken = self._taken + boxes
        for label, anchor, radius in tags:
            spot = _free_spot(label.get_size(), anchor, radius, taken, self.rect)
            taken.append(spot)
            surface.blit(label, spot.topleft)
        pygame.draw.rect(surface, BORDER, self.rect, 2)


def _free_spot(size, anchor, r, taken, bounds) -> pygame.Rect:
    """Where to put a label next to a map symbol without covering another label."""
    w, h = size
    x, y = anchor
    candidates = [
        (x - w // 2, y + r + 2),
        (x - w // 2, y - r - h - 2),
        (x + r + 4, y - h // 2),
        (x - r - 4 - w, y - h // 2),
        (x - w // 2, y + r + h + 4),
        (x - w // 2, y - r - 2 * h - 4),
    ]
    first = None
    for cx, cy in candidates:
        rect = pygame.Rect(cx, cy, w, h).clamp(bounds)
        if first is None:
            first = rect
        if rect.collidelist(taken) < 0:
            return rect
    return first


class BoardScene(Scene):
    """The controller's main board."""

    def __init__(self, app):
        super().__init__(app)
        self.map = MapView(app)
        self.buttons: list[Button] = []
        self.top_rect = self.bottom_rect = self.side_rect = pygame.Rect(0, 0, 0, 0)

    # -- layout --

    def layout(self) -> None:
        app = self.app
        w, h = app.size
        fs = app.fs
        pad = fs // 2
        bar = int(fs * 2.3)
        bottom = int(fs * 2.8)
        self.top_rect = pygame.Rect(0, 0, w, bar)
        self.bottom_rect = pygame.Rect(0, h - bottom, w, bottom)
        body_h = h - bar - bottom - 2 * pad
        map_w = int(w * 0.58)
        self.map.set_rect(app.mirror(pygame.Rect(pad, bar + pad, map_w, body_h)))
        self.side_rect = app.mirror(
            pygame.Rect(pad * 2 + map_w, bar + pad, w - map_w - 3 * pad, body_h)
        )
        specs = [
            ("pause_resume", pygame.K_SPACE, self.toggle_pause),
            ("slower", pygame.K_MINUS, lambda: self.change_speed(-1)),
            ("faster", pygame.K_PLUS, lambda: self.change_speed(1)),
            ("release", pygame.K_r, self.open_release),
            ("note", pygame.K_n, self.open_note),
            ("scores", pygame.K_s, self.open_scores),
            ("end", pygame.K_e, self.open_end),
        ]
        n = len(specs)
        bw = (w - pad * (n + 1)) // n
        self.buttons = []
        for i, (key, hotkey, action) in enumerate(specs):
            rect = app.mirror(
                pygame.Rect(pad + i * (bw + pad), h - bottom + pad // 2, bw, bottom - pad)
            )
            self.buttons.append(
                Button(rect, key, action, hotkey, BAD if key == "end" else PANEL_HI)
            )

    # -- actions --

    def toggle_pause(self) -> None:
        self.app.send(Resume() if self.app.state.paused else Pause())

    def change_speed(self, direction: int) -> None:
        speeds = list(SPEEDS)
        current = self.app.state.speed
        index = min(range(len(speeds)), key=lambda i: abs(speeds[i] - current))
        index = max(0, min(len(speeds) - 1, index + direction))
        self.app.send(SetSpeed(speeds[index]))

    def open_release(self) -> None:
        from simulations.ui.dialogs import ReleaseScene

        self.app.stack.push(ReleaseScene(self.app))

    def open_note(self) -> None:
        from simulations.ui.dialogs import NoteScene

        self.app.stack.push(NoteScene(self.app))

    def open_scores(self) -> None:
        from simulations.ui.review import ScoreboardScene

        self.app.stack.push(ScoreboardScene(self.app))

    def open_end(self) -> None:
        from simulations.ui.dialogs import ConfirmEndScene

        self.app.stack.push(ConfirmEndScene(self.app))

    def open_decision(self, decision_id: str) -> None:
        from simulations.ui.dialogs import DecisionScene

        self.app.stack.push(DecisionScene(self.app, decision_id))

    def open_inject(self, inject_id: str) -> None:
        from simulations.ui.dialogs import InjectScene

        self.app.stack.push(InjectScene(self.app, inject_id))

    # -- side panel geometry (a pure function of state and layout) --

    def _decision_rects(self) -> list[tuple[str, pygame.Rect]]:
        fs = self.app.fs
        x, y, w = self.side_rect.x, self.side_rect.y + int(fs * 1.6), self.side_rect.width
        rows = []
        for decision_id in self.app.state.open_decisions()[:3]:
            rows.append((decision_id, pygame.Rect(x, y, w, int(fs * 2.6))))
            y += int(fs * 2.8)
        return rows

    def _feed_top(self) -> int:
        fs = self.app.fs
        rows = self._decision_rects()
        y = rows[-1][1].bottom if rows else self.side_rect.y + int(fs * 3.0)
        return y + fs // 2

    def _feed_rects(self) -> list[tuple[str, pygame.Rect]]:
        fs = self.app.fs
        top = self._feed_top() + int(fs * 1.5)
        rows = []
        y = top
        item_h = int(fs * 2.9)
        released = sorted(self.app.state.released.items(), key=lambda kv: kv[1], reverse=True)
        for inject_id, _ in released:
            if y + item_h > self.side_rect.bottom:
                break
            rows.append(
                (inject_id, pygame.Rect(self.side_rect.x, y, self.side_rect.width, item_h - 4))
            )
            y += item_h
        return rows

    # -- events --

    def handle_event(self, event) -> None:
        super().handle_event(event)
        if event.type == pygame.KEYDOWN and event.key in (pygame.K_EQUALS, pygame.K_KP_PLUS):
            self.change_speed(1)
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_KP_MINUS:
            self.change_speed(-1)
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_F11:
            self.app.toggle_fullscreen()
            return
        if event.type == pygame.KEYDOWN and event.key == pygame.K_d:
            open_now = self.app.state.open_decisions()
            if open_now:
                self.open_decision(open_now[0])
            return
        if handle_buttons(self.buttons, event):
            return
        if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
            for decision_id, rect in self._decision_rects():
                if rect.collidepoint(event.pos):
                    self.open_decision(decision_id)
                    return
            for inject_id, rect in self._feed_rects():
                if rect.collidepoint(event.pos):
                    self.open_inject(inject_id)
                    return

    # -- drawing --

    def _button_label(self, key: str) -> str:
        lang = self.app.lang
        if key == "pause_resume":
            return t("resume" if self.app.state.paused else "pause", lang)
        return t(key, lang)

    def draw(self, surface) -> None:
        app = self.app
        state = app.state
        lang = app.lang
        fs = app.fs
        surface.fill(BG)
        # top bar: title, clock, speed
        pygame.draw.rect(surface, PANEL, self.top_rect)
        inner = self.top_rect.inflate(-fs, 0)
        clock = f"{clock_text(app.scenario.start_time, state.clock)}  ×{state.speed:g}"
        clock_w = app.text.width(clock, int(fs * 1.3), True) + fs
        title_rect = pygame.Rect(inner.x, inner.y, inner.width - clock_w - fs * 8, inner.height)
        app.text.draw(
            surface,
            tr(app.scenario.title, lang),
            int(fs * 1.05),
            TEXT,
            app.mirror(title_rect, within=inner),
            True,
            valign="center",
        )
        end_rect = app.mirror(
            pygame.Rect(inner.right - clock_w, inner.y, clock_w, inner.height), within=inner
        )
        app.text.draw(surface, clock, int(fs * 1.3), TEXT, end_rect, True, "end", "center")
        if state.paused:
            tag = pygame.Rect(0, 0, fs * 7, int(fs * 1.6))
            tag.center = (
                self.top_rect.centerx + fs * 6 * (-1 if app.rtl else 1),
                self.top_rect.centery,
            )
            pygame.draw.rect(surface, WARN, tag, border_radius=6)
            app.text.draw(surface, t("paused", lang), fs, BG, tag, True, "center", "center")
        # map
        latest = max(state.released.items(), key=lambda kv: kv[1], default=None)
        highlight = None
        if latest is not None:
            highlight = app.scenario.inject(latest[0]).place
        self.map.draw(surface, state, highlight)
        # side: open decisions
        side = self.side_rect
        app.text.draw(
            surface,
            t("open_decisions", lang),
            fs,
            ACCENT,
            pygame.Rect(side.x, side.y, side.width, fs * 2),
            True,
        )
        rows = self._decision_rects()
        if not rows:
            app.text.draw(
                surface,
                t("no_decisions", lang),
                int(fs * 0.85),
                MUTED,
                pygame.Rect(side.x, side.y + int(fs * 1.6), side.width, fs * 2),
            )
        for decision_id, rect in rows:
            point = app.scenario.decision(decision_id)
            hover = rect.collidepoint(self.mouse)
            panel(surface, rect, PANEL_HI if hover else PANEL, WARN)
            body = rect.inflate(-fs, -fs // 3)
            record = state.decisions[decision_id]
            team = tr(app.scenario.team(point.team).name, lang)
            head = f"{team} · {tr(app.scenario.role(point.role).name, lang)}"
            if point.timeout is not None:
                left = max(0, int((record.opened_at + point.timeout - state.clock) // 60))
                head += f" · {left} {t('min', lang)}"
            app.text.draw(surface, head, int(fs * 0.8), WARN, body, True)
            app.text.draw_wrapped(
                surface,
                tr(point.prompt, lang),
                int(fs * 0.8),
                TEXT,
                pygame.Rect(
                    body.x, body.y + int(fs * 1.1), body.width, body.height - int(fs * 1.1)
                ),
                max_lines=1,
            )
        # side: inject feed
        top = self._feed_top()
        app.text.draw(
            surface, t("feed", lang), fs, ACCENT, pygame.Rect(side.x, top, side.width, fs * 2), True
        )
        small = int(fs * 0.75)
        for inject_id, rect in self._feed_rects():
            inject = app.scenario.inject(inject_id)
            colour = KIND_COLOURS.get(inject.kind, MUTED)
            hover = rect.collidepoint(self.mouse)
            panel(surface, rect, PANEL_HI if hover else PANEL, colour)
            body = rect.inflate(-fs, -fs // 4)
            when = clock_text(app.scenario.start_time, state.released[inject_id])
            head = f"{when} · {t('kind_' + inject.kind, lang)}"
            if inject.sender:
                head += f" · {tr(inject.sender, lang)}"
            app.text.draw(surface, head, small, colour, body, True)
            app.text.draw_wrapped(
                surface,
                tr(inject.title, lang),
                int(fs * 0.85),
                TEXT,
                pygame.Rect(
                    body.x, body.y + int(small * 1.4), body.width, body.height - int(small * 1.4)
                ),
                max_lines=1,
            )
        # bottom bar
        pygame.draw.rect(surface, PANEL, self.bottom_rect)
        for button in self.buttons:
            label = self._button_label(button.label)
            shown = Button(button.rect, label, button.action, button.key, button.colour)
            shown.draw(surface, app, self.mouse, int(fs * 0.8))
        if app.toast:
            message = app.toast
            box = pygame.Rect(0, 0, app.text.width(message, fs, True) + 2 * fs, int(fs * 2))
            box.midbottom = (app.size[0] // 2, self.bottom_rect.y - fs // 2)
            pygame.draw.rect(surface, ACCENT, box, border_radius=8)
            app.text.draw(surface, message, fs, TEXT, box, True, "center", "center")
