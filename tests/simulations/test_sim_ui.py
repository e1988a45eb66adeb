"""The pygame application, headless: scenes, input, Arabic text, screenshots."""

from __future__ import annotations

import pygame
import pytest

from simulations.engine import Tick
from simulations.ui.app import App, autoplay
from simulations.ui.board import BoardScene
from simulations.ui.dialogs import BriefingScene, ConfirmEndScene, DecisionScene, NoteScene
from simulations.ui.review import ReviewScene, ScoreboardScene
from simulations.ui.text import Typesetter, bidi_runs


@pytest.fixture
def app_factory():
    apps = []

    def make(scenario, lang="en", seed=3):
        app = App(scenario, lang, seed, size=(1280, 720))
        apps.append(app)
        assert isinstance(app.stack.top, BriefingScene) and app.holding
        app.update(5.0)
        assert app.state.clock == 0  # the clock waits for the briefing
        _key(app, pygame.K_RETURN)
        assert isinstance(app.stack.top, BoardScene) and not app.holding
        return app

    yield make
    for app in apps:
        app.close()


def _colours(path) -> int:
    image = pygame.image.load(str(path))
    w, h = image.get_size()
    return len({tuple(image.get_at((x, y))) for x in range(0, w, 16) for y in range(0, h, 16)})


def _key(app, key, text=None):
    app.handle(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=text or ""))


def _click(app, pos):
    app.handle(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))


@pytest.mark.parametrize(("scenario_id", "lang"), [("poc-camp", "en"), ("disinfo-gate", "ar")])
def test_headless_autoplay_saves_screenshots(scenarios, app_factory, tmp_path, scenario_id, lang):
    app = app_factory(scenarios[scenario_id], lang)
    result = autoplay(app, seed=11, shots=tmp_path)
    assert app.state.ended and result.ending == app.state.ending
    names = {p.name for p in result.screenshots}
    assert {"map.png", "decision.png", "scoreboard.png", "review.png", "inject.png"} <= names
    for path in result.screenshots:
        assert path.stat().st_size > 10_000
        assert _colours(path) > 8, f"{path.name} looks blank"
    assert isinstance(app.stack.top, ReviewScene)
    assert len(result.decisions) == 6


def test_arabic_is_shaped_and_right_to_left():
    pygame.font.init()
    text = Typesetter("ar")
    word = text.render("مخيم", 32, (255, 255, 255))
    letters = sum(text.render(ch, 32, (255, 255, 255)).get_width() for ch in "مخيم")
    assert word.get_width() < letters  # joined contextual forms, not isolated letters
    line = text.render("مخيم 12", 32, (255, 255, 255))
    digits = text.render("12", 32, (255, 255, 255))
    # the number comes after the word in reading order, so it sits at the left end
    line_mask = pygame.mask.from_surface(line)
    digit_mask = pygame.mask.from_surface(digits)
    offset = (0, (line.get_height() - digits.get_height()) // 2)
    assert line_mask.overlap_area(digit_mask, offset) == digit_mask.count() > 0
    assert bidi_runs("الولاية 3/3 · 43%", True) == [
        ("R", "الولاية "),
        ("D", "3/3"),
        ("R", " · "),
        ("D", "43%"),
    ]
    assert bidi_runs("Team 12 min", False) == [("L", "Team 12 min")]
    assert bidi_runs("B2: مصدر", True) == [("L", "B2"), ("R", ": مصدر")]
    assert bidi_runs("مخيم 12", True) == [("R", "مخيم "), ("D", "12")]


def test_draw_never_changes_state(scenarios, app_factory):
    app = app_factory(scenarios["poc-camp"])
    app.send(Tick(60))
    scenes = [
        ScoreboardScene(app),
        DecisionScene(app, "posture"),
        ConfirmEndScene(app),
        NoteScene(app),
    ]
    before = app.state
    for scene in scenes:
        app.stack.push(scene)
        for _ in range(3):
            app.draw()
        app.stack.remove(scene)
    assert app.state is before


def test_keyboard_controls(scenarios, app_factory):
    app = app_factory(scenarios["poc-camp"])
    _key(app, pygame.K_SPACE)
    assert app.state.paused
    _key(app, pygame.K_SPACE)
    assert not app.state.paused
    _key(app, pygame.K_PLUS)
    assert app.state.speed == 2.0
    _key(app, pygame.K_MINUS)
    _key(app, pygame.K_MINUS)
    assert app.state.speed == 0.5
    # observer note
    _key(app, pygame.K_n)
    assert isinstance(app.stack.top, NoteScene)
    app.handle(pygame.event.Event(pygame.TEXTINPUT, text="Crowd seen"))
    _key(app, pygame.K_BACKSPACE)
    _key(app, pygame.K_RETURN)
    assert app.state.notes[-1][1] == "Crowd see"
    assert isinstance(app.stack.top, BoardScene)
    # release an inject: the manual one is listed first
    _key(app, pygame.K_r)
    _key(app, pygame.K_1)
    assert "missing-child" in app.state.released
    # end the exercise: confirm with Y, the review replaces the board
    _key(app, pygame.K_e)
    _key(app, pygame.K_y)
    assert app.state.ended
    assert isinstance(app.stack.top, ReviewScene)
    _key(app, pygame.K_DOWN)
    _key(app, pygame.K_ESCAPE)
    assert not app.running


def test_mouse_opens_decision_and_chooses(scenarios, app_factory):
    app = app_factory(scenarios["poc-camp"], "fr")
    app.update(60.0 / app.state.speed)  # ten exercise minutes: a decision opens
    board = app.stack.top
    assert isinstance(board, BoardScene) and app.state.open_decisions() == ["posture"]
    ((decision_id, rect),) = board._decision_rects()
    _click(app, rect.center)
    dialog = app.stack.top
    assert isinstance(dialog, DecisionScene)
    _click(app, dialog.buttons[0].rect.center)
    assert app.state.decisions["posture"].option_id == "presence"
    assert app.stack.top is board
    # clicking a feed item opens its details; Escape closes it
    _, feed_rect = board._feed_rects()[0]
    _click(app, feed_rect.center)
    assert app.stack.top is not board
    _key(app, pygame.K_ESCAPE)
    assert app.stack.top is board


def test_resize_relayouts(scenarios, app_factory):
    app = app_factory(scenarios["convoy-ied"], "ar")
    app.handle(pygame.event.Event(pygame.VIDEORESIZE, size=(1920, 1080), w=1920, h=1080))
    assert app.size == (1920, 1080) and app.fs >= 36
    board = app.stack.top
    # right-to-left: the map is on the right, the panel on the left
    assert board.map.rect.centerx > board.side_rect.centerx
    app.draw()


def test_release_list_scrolls_to_every_inject(scenarios, app_factory):
    from simulations.ui.dialogs import ReleaseScene

    app = app_factory(scenarios["convoy-ied"], "fr")
    scene = ReleaseScene(app)
    app.stack.push(scene)
    waiting = len(scene.waiting)
    assert waiting > len(scene.buttons)  # more injects than rows on screen
    for _ in range(waiting):
        _key(app, pygame.K_DOWN)
    last = scene.waiting[-1]
    assert scene.buttons[-1].label.startswith(f"{waiting}. ")
    _key(app, pygame.K_1 + len(scene.buttons) - 1)
    assert last.id in app.state.released


def test_every_marker_and_inject_kind_has_a_label_in_each_language():
    from simulations.engine.model import INJECT_KINDS
    from simulations.engine.rules import MARKERS
    from simulations.ui.strings import STRINGS

    for key in [f"marker_{m}" for m in MARKERS] + [f"kind_{k}" for k in INJECT_KINDS]:
        assert set(STRINGS[key]) >= {"en", "fr", "ar"}, key
    for key, text in STRINGS.items():
        assert all(text[lang].strip() for lang in ("en", "fr", "ar")), key


def test_full_screen_toggle(scenarios, app_factory):
    app = app_factory(scenarios["poc-camp"])
    _key(app, pygame.K_F11)
    assert app.fullscreen
    app.draw()
    _key(app, pygame.K_F11)
    assert not app.fullscreen and app.size == (1280, 720)
