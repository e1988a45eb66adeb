"""Scene stack and small widgets. A scene reads the app state and sends actions; its
``draw`` only paints (it never changes the exercise state)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pygame

from simulations.engine.state import clock_text  # noqa: F401 - re-exported for scenes

if TYPE_CHECKING:
    from simulations.ui.app import App

BG = (16, 24, 40)
PANEL = (30, 42, 66)
PANEL_HI = (48, 66, 104)
BORDER = (70, 90, 130)
TEXT = (242, 245, 250)
MUTED = (168, 182, 206)
ACCENT = (91, 146, 229)
WARN = (240, 176, 64)
BAD = (226, 88, 76)
GOOD = (88, 196, 128)
KIND_COLOURS = {
    "radio": (91, 146, 229),
    "sage": (240, 176, 64),
    "social": (196, 128, 236),
    "crowd": (236, 120, 84),
    "drone": (120, 206, 226),
    "ied": (236, 76, 76),
    "report": (168, 182, 206),
    "liaison": (110, 204, 146),
    "media": (214, 168, 236),
}
TONE_COLOURS = {"good": GOOD, "mixed": WARN, "bad": BAD}


class Scene:
    """One screen. ``opaque`` scenes hide the scenes below; overlays are drawn over them."""

    opaque = True

    def __init__(self, app: App):
        self.app = app
        self.mouse = (0, 0)

    def enter(self) -> None:
        self.layout()

    def leave(self) -> None:
        pass

    def layout(self) -> None:
        """Recompute rectangles from the window size (called on push and resize)."""

    def handle_event(self, event: pygame.event.Event) -> None:
        if event.type == pygame.MOUSEMOTION:
            self.mouse = event.pos

    def update(self, dt: float) -> None:
        pass

    def draw(self, surface: pygame.Surface) -> None:
        raise TypeError("Scene subclasses implement draw()")


class SceneStack:
    """Push/pop stack of scenes; only the top scene gets events and updates."""

    def __init__(self):
        self.scenes: list[Scene] = []

    @property
    def top(self) -> Scene | None:
        return self.scenes[-1] if self.scenes else None

    def push(self, scene: Scene) -> None:
        self.scenes.append(scene)
        scene.enter()

    def pop(self) -> Scene | None:
        if not self.scenes:
            return None
        scene = self.scenes.pop()
        scene.leave()
        return scene

    def remove(self, scene: Scene) -> None:
        if scene in self.scenes:
            self.scenes.remove(scene)
            scene.leave()

    def relayout(self) -> None:
        for scene in self.scenes:
            scene.layout()

    def handle_event(self, event: pygame.event.Event) -> None:
        if self.top is not None:
            self.top.handle_event(event)

    def update(self, dt: float) -> None:
        if self.top is not None:
            self.top.update(dt)

    def draw(self, surface: pygame.Surface) -> None:
        start = 0
        for i in range(len(self.scenes) - 1, -1, -1):
            if self.scenes[i].opaque:
                start = i
                break
        for scene in self.scenes[start:]:
            scene.draw(surface)


@dataclass
class Button:
    rect: pygame.Rect
    label: str
    action: Callable[[], None]
    key: int | None = None
    colour: tuple = PANEL_HI
    enabled: bool = True

    def hit(self, pos) -> bool:
        return self.enabled and self.rect.collidepoint(pos)

    def draw(self, surface, app: App, mouse, size: int | None = None, align="center") -> None:
        hover = self.hit(mouse)
        colour = tuple(min(255, c + 28) for c in self.colour) if hover else self.colour
        if not self.enabled:
            colour = PANEL
        pygame.draw.rect(surface, colour, self.rect, border_radius=8)
        pygame.draw.rect(surface, ACCENT if hover else BORDER, self.rect, 2, border_radius=8)
        size = size or app.fs
        inner = self.rect.inflate(-app.fs, -app.fs // 3)
        lines = app.text.wrap(self.label, size, inner.width)
        while size > 12 and len(lines) * app.text.line_height(size) > inner.height + 4:
            size -= 1  # shrink long labels (some languages are longer) to fit the button
            lines = app.text.wrap(self.label, size, inner.width)
        colour = TEXT if self.enabled else MUTED
        if len(lines) == 1:
            app.text.draw(surface, lines[0], size, colour, inner, align=align, valign="center")
            return
        step = app.text.line_height(size)
        y = self.rect.centery - step * len(lines) // 2
        for line in lines:
            app.text.draw(
                surface,
                line,
                size,
                TEXT if self.enabled else MUTED,
                pygame.Rect(inner.x, y, inner.width, step),
                align=align,
            )
            y += step


def handle_buttons(buttons: list[Button], event: pygame.event.Event) -> bool:
    """Run the button under a left click or matching a key; return True if one ran."""
    if event.type == pygame.MOUSEBUTTONDOWN and event.button == 1:
        for button in buttons:
            if button.hit(event.pos):
                button.action()
                return True
    if event.type == pygame.KEYDOWN:
        for button in buttons:
            if button.enabled and button.key is not None and event.key == button.key:
                button.action()
                return True
    return False


def panel(surface: pygame.Surface, rect: pygame.Rect, colour=PANEL, border=BORDER) -> None:
    pygame.draw.rect(surface, colour, rect, border_radius=10)
    pygame.draw.rect(surface, border, rect, 2, border_radius=10)
