"""The desktop exercise application: window, scene stack, engine state, tracking, autoplay."""

from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import pygame

from simulations.engine import (
    SPEEDS,
    AddNote,
    Decide,
    ReleaseInject,
    Scenario,
    SetSpeed,
    Tick,
    new_state,
    step,
)
from simulations.ui.board import BoardScene
from simulations.ui.scenes import SceneStack
from simulations.ui.strings import t
from simulations.ui.text import RTL_LANGUAGES, Typesetter

MIN_SIZE = (800, 500)


class App:
    """Owns the window and the exercise state; scenes read ``state`` and call ``send``."""

    def __init__(
        self,
        scenario: Scenario,
        lang: str = "en",
        seed: int = 0,
        size: tuple[int, int] = (1280, 720),
        tracker=None,
        mastery_score=None,
        fullscreen: bool = False,
        briefing: bool = True,
    ):
        if lang not in scenario.languages:
            lang = "en"
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_caption(scenario.title.get(lang, scenario.title["en"]))
        flags = pygame.RESIZABLE | (pygame.FULLSCREEN if fullscreen else 0)
        self.screen = pygame.display.set_mode(size, flags)
        self.fullscreen = fullscreen
        self.window_size = size
        self.scenario = scenario
        self.lang = lang
        self.rtl = lang in RTL_LANGUAGES
        self.text = Typesetter(lang)
        self.state = new_state(scenario, seed)
        self.tracker = tracker
        self.mastery_score = mastery_score if mastery_score is not None else scenario.mastery_score
        self.stack = SceneStack()
        self.running = True
        self.toast = ""
        self._toast_left = 0.0
        self._apply_size(self.screen.get_size())
        self.stack.push(BoardScene(self))
        self.holding = briefing  # the clock waits until the briefing is closed
        if briefing:
            from simulations.ui.dialogs import BriefingScene

            self.stack.push(BriefingScene(self))
        self.send(Tick(0))

    # -- geometry --

    def _apply_size(self, size) -> None:
        self.size = (max(MIN_SIZE[0], size[0]), max(MIN_SIZE[1], size[1]))
        # large type for a projector: about 30 lines on the screen height
        self.fs = max(16, min(self.size[1] // 28, self.size[0] // 48))

    def mirror(self, rect: pygame.Rect, within: pygame.Rect | None = None) -> pygame.Rect:
        """Flip a rectangle left-right inside ``within`` (the window) for right-to-left."""
        if not self.rtl:
            return rect
        area = within or pygame.Rect(0, 0, *self.size)
        return pygame.Rect(area.x + area.right - rect.right, rect.y, rect.width, rect.height)

    # -- state --

    def send(self, action) -> list:
        self.state, events = step(self.state, action)
        if self.tracker is not None and events:
            self.tracker.record(events)
        for event in events:
            if event.kind == "ended":
                self._show_review()
        return events

    def _show_review(self) -> None:
        from simulations.ui.review import ReviewScene

        self.stack.push(ReviewScene(self))

    def show_toast(self, message: str, seconds: float = 2.5) -> None:
        self.toast = message
        self._toast_left = seconds

    def update(self, dt: float) -> None:
        if not self.state.ended and not self.holding:
            self.send(Tick(dt))
        if self._toast_left > 0:
            self._toast_left -= dt
            if self._toast_left <= 0:
                self.toast = ""
        self.stack.update(dt)

    def draw(self) -> None:
        self.stack.draw(self.screen)

    def handle(self, event) -> None:
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == pygame.VIDEORESIZE:
            self.screen = pygame.display.set_mode(event.size, pygame.RESIZABLE)
            self._apply_size(self.screen.get_size())
            self.stack.relayout()
        else:
            self.stack.handle_event(event)

    def toggle_fullscreen(self) -> None:
        """F11: fill the projector screen, or go back to a window."""
        self.fullscreen = not self.fullscreen
        if self.fullscreen:
            self.screen = pygame.display.set_mode((0, 0), pygame.FULLSCREEN)
        else:
            self.screen = pygame.display.set_mode(self.window_size, pygame.RESIZABLE)
        self._apply_size(self.screen.get_size())
        self.stack.relayout()

    def screenshot(self, path: Path) -> Path:
        self.draw()
        path.parent.mkdir(parents=True, exist_ok=True)
        pygame.image.save(self.screen, str(path))
        return path

    # -- loops --

    def run(self, fps: int = 60, sync_every: float = 15.0) -> None:
        """Interactive loop until the window is closed or the review is left."""
        clock = pygame.time.Clock()
        since_sync = 0.0
        while self.running:
            # a stalled frame (window dragged, laptop asleep) must not jump the exercise clock
            dt = min(clock.tick(fps) / 1000.0, 0.25)
            for event in pygame.event.get():
                self.handle(event)
            self.update(dt)
            self.draw()
            pygame.display.flip()
            since_sync += dt
            if self.tracker is not None and since_sync >= sync_every:
                # short timeout so the screen never freezes; back off while the LRS is away
                report = self.tracker.flush(limit=20, timeout=0.5)
                since_sync = -4 * sync_every if report.error else 0.0

    def close(self) -> None:
        pygame.display.quit()


@dataclass
class AutoplayResult:
    ending: str | None
    score: float
    decisions: dict[str, str] = field(default_factory=dict)
    screenshots: list[Path] = field(default_factory=list)
    frames: int = 0


def autoplay(
    app: App,
    seed: int,
    script: dict[str, str] | None = None,
    shots: Path | None = None,
    dt: float = 0.5,
    max_frames: int = 20_000,
):
    """Play to an end through the screens: seeded or scripted decisions, controller actions,
    and screenshots of the main screens (map, inject, decision, scoreboard, review)."""
    from simulations.engine import scorecard
    from simulations.ui.dialogs import DecisionScene, InjectScene
    from simulations.ui.review import ScoreboardScene

    rng = random.Random(seed)  # noqa: S311 - choosing exercise options, not security
    script = script or {}
    result = AutoplayResult(None, 0.0)
    taken: set[str] = set()

    def shot(name: str) -> None:
        if shots is not None and name not in taken:
            taken.add(name)
            result.screenshots.append(app.screenshot(shots / f"{name}.png"))

    from simulations.ui.dialogs import BriefingScene

    if isinstance(app.stack.top, BriefingScene):
        shot("briefing")
        app.stack.top.start()
    app.send(SetSpeed(max(SPEEDS)))
    decided = 0
    for frame in range(max_frames):
        if app.state.ended:
            break
        app.update(dt)
        app.draw()
        result.frames = frame + 1
        open_now = app.state.open_decisions()
        if not open_now:
            continue
        decision_id = open_now[0]
        shot("map")
        if decided == 1:
            # controller controls: an observer note and a manual inject
            app.send(AddNote(t("auto_note", app.lang)))
            manual = [
                i.id for i in app.scenario.injects if i.manual and i.id not in app.state.released
            ]
            if manual:
                app.send(ReleaseInject(manual[0]))
                scene = InjectScene(app, manual[0])
                app.stack.push(scene)
                shot("inject")
                app.stack.remove(scene)
        scene = DecisionScene(app, decision_id)
        app.stack.push(scene)
        shot("decision")
        point = app.scenario.decision(decision_id)
        option = script.get(decision_id) or rng.choice(point.options).id
        result.decisions[decision_id] = option
        scene.choose(option)
        decided += 1
        if decided == 3:
            board = ScoreboardScene(app)
            app.stack.push(board)
            shot("scoreboard")
            app.stack.remove(board)
    if not app.state.ended:
        from simulations.engine import End

        app.send(End())
    board = ScoreboardScene(app)
    app.stack.push(board)
    shot("scoreboard")
    app.stack.remove(board)
    shot("review")
    result.ending = app.state.ending
    result.score = scorecard(app.state).overall
    return result


def headless_env() -> None:
    os.environ["SDL_VIDEODRIVER"] = "dummy"
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")


def frames_per_second(app: App, seconds: float = 3.0) -> tuple[int, float]:
    """Draw frames as fast as possible (with updates) and return (frames, fps)."""
    frames = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        app.update(1 / 60)
        app.draw()
        pygame.display.flip()
        frames += 1
    elapsed = time.perf_counter() - start
    return frames, frames / elapsed


__all__ = ["App", "AutoplayResult", "Decide", "autoplay", "frames_per_second", "headless_env"]
