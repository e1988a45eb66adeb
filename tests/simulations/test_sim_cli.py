"""The command line: list, check, play (headless autoplay), join/launch with a fake portal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sim_fakes import FakePortal

from simulations import SCENARIO_DIR, iris
from simulations.cli import main
from simulations.tracking import basic_auth

ROOT = Path(__file__).resolve().parents[2]
BEST_POC = {
    "posture": "presence",
    "humanitarian-liaison": "meet-share",
    "rumour-response": "report-pio",
    "crowd-response": "interpose",
    "casualty-report": "report-reinforce",
    "prefect-response": "refer-due-process",
}


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for scenario_id in ("poc-camp", "convoy-ied", "disinfo-gate"):
        assert scenario_id in out
    assert "languages: en, fr, ar" in out and "decision points: 6" in out


def test_check_ok_and_errors(capsys, tmp_path):
    assert main(["check", str(SCENARIO_DIR / "poc-camp.yaml")]) == 0
    assert capsys.readouterr().out.startswith("OK ")
    data = yaml.safe_load((SCENARIO_DIR / "poc-camp.yaml").read_text(encoding="utf-8"))
    del data["injects"][0]["text"]["fr"]
    data["decisions"][2]["team"] = "nobody"
    bad = tmp_path / "poc-camp.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "injects[0].text.fr" in out and "decisions[2].team" in out
    assert "2 problem(s)" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["play", "no-such-scenario", "--headless", "--autoplay"],
        ["play", "poc-camp", "--headless"],
        ["play", "poc-camp", "--headless", "--autoplay", "--lang", "xx"],
        ["play", "poc-camp", "--headless", "--autoplay", "--lrs", "http://127.0.0.1:9/xapi/"],
        ["play", "poc-camp", "--headless", "--autoplay", "--launch", "/no/such/file.json"],
        ["play", "--headless", "--autoplay"],
        ["join", "../etc", "--portal", "http://127.0.0.1:9", "--headless", "--autoplay"],
    ],
)
def test_bad_arguments_exit_non_zero_with_a_message(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


def test_bad_size_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["play", "poc-camp", "--size", "huge"])
    assert info.value.code == 2
    assert "WIDTHxHEIGHT" in capsys.readouterr().err


def test_play_headless_with_decisions_file(capsys, tmp_path):
    script = tmp_path / "best.json"
    script.write_text(json.dumps(BEST_POC), encoding="utf-8")
    shots = tmp_path / "shots"
    code = main(
        [
            "play",
            "poc-camp",
            "--headless",
            "--autoplay",
            "--seed",
            "4",
            "--lang",
            "fr",
            "--decisions",
            str(script),
            "--screenshots",
            str(shots),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Ending: camp-protected (good)" in out and "passed" in out
    assert {p.name for p in shots.glob("*.png")} >= {
        "map.png",
        "decision.png",
        "scoreboard.png",
        "review.png",
    }


def test_module_entry_point_runs_without_traceback():
    result = subprocess.run(
        [sys.executable, "-m", "simulations", "play", "nowhere"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown scenario" in result.stderr and "Traceback" not in result.stderr


def test_join_plays_and_delivers_statements(capsys, tmp_path):
    portal = FakePortal().start()
    try:
        url = portal.new_launch(scenario="convoy-ied", lang="ar", seed=21, mastery=0.6)
        portal.join_codes["QRT-482"] = url
        argv = [
            "join",
            "QRT-482",
            "--portal",
            portal.base,
            "--headless",
            "--autoplay",
            "--data-dir",
            str(tmp_path),
        ]
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "Language: ar; seed: 21" in out and "pass mark 60%" in out
        assert "0 waiting" in out and "Return to the portal" in out
        stored = [portal.statements[i] for i in portal.order]
        verbs = [s["verb"]["id"] for s in stored]
        assert verbs[0] == iris.INITIALIZED and verbs[-1] == iris.TERMINATED
        assert verbs.count(iris.ANSWERED) == 6
        assert verbs[-3] == iris.COMPLETED and verbs[-2] in (iris.PASSED, iris.FAILED)
        assert all(
            s["context"]["registration"] == "8f1c9a52-2d0e-4c55-9d43-6a7f0e1b2c3d" for s in stored
        )
        assert not portal.bad_headers
        # the launch link works once
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "already been used" in err and "Traceback" not in err
    finally:
        portal.stop()


def test_play_with_launch_file_and_offline_queue(capsys, tmp_path):
    portal = FakePortal().start()
    try:
        launch_file = tmp_path / "exercise.json"
        launch_file.write_text(
            json.dumps({"launch_url": portal.new_launch(seed=8), "portal": portal.base}),
            encoding="utf-8",
        )
        assert (
            main(
                [
                    "play",
                    "--launch",
                    str(launch_file),
                    "--headless",
                    "--autoplay",
                    "--data-dir",
                    str(tmp_path),
                ]
            )
            == 0
        )
        assert "Scenario: poc-camp" in capsys.readouterr().out
        delivered = len(portal.statements)
        assert delivered >= 10
    finally:
        portal.stop()
    # offline play with an LRS that is down: statements wait in the outbox, sync sends later
    down = FakePortal()
    argv = [
        "play",
        "disinfo-gate",
        "--headless",
        "--autoplay",
        "--lrs",
        f"{down.base}/xapi/",
        "--lrs-key",
        "k",
        "--lrs-secret",
        "s",
        "--data-dir",
        str(tmp_path / "kit"),
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "could not be reached" in out
    assert main(["sync", "--data-dir", str(tmp_path / "kit")]) == 0
    assert "Stopped" in capsys.readouterr().out
    # the link is back, but only with the kit's own key: sync with replacement credentials
    down.accepted_auth = {basic_auth("kit", "kit-secret")}
    down.start()
    try:
        assert main(["sync", "--data-dir", str(tmp_path / "kit")]) == 0
        assert "Stopped: LRS answered 401" in capsys.readouterr().out
        argv = [
            "sync",
            "--data-dir",
            str(tmp_path / "kit"),
            "--lrs-key",
            "kit",
            "--lrs-secret",
            "kit-secret",
        ]
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "waiting 0" in out and "refused 0" in out
        verbs = [down.statements[i]["verb"]["id"] for i in down.order]
        assert verbs[0] == iris.INITIALIZED and verbs[-1] == iris.TERMINATED
        assert main(["sync", "--data-dir", str(tmp_path / "kit"), "--lrs-key", "x"]) == 2
    finally:
        down.stop()


def test_interactive_window_closed_mid_exercise(monkeypatch, capsys, tmp_path):
    """The interactive loop (dummy video driver): start, pause, close the window."""
    import pygame

    from simulations.ui.app import App

    original = App.run

    def scripted_run(self, fps=60, sync_every=15.0):
        for key in (pygame.K_RETURN, pygame.K_SPACE):  # close the briefing, then pause
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=""))
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        original(self, fps=1000, sync_every=sync_every)
        assert self.state.paused and not self.state.ended

    monkeypatch.setattr(App, "run", scripted_run)
    portal = FakePortal()
    portal.accepted_auth.add(basic_auth("k", "s"))
    portal.start()
    try:
        argv = [
            "play",
            "poc-camp",
            "--lrs",
            f"{portal.base}/xapi/",
            "--lrs-key",
            "k",
            "--lrs-secret",
            "s",
            "--data-dir",
            str(tmp_path),
        ]
        assert main(argv) == 0
        assert "3 recorded, 3 delivered" in capsys.readouterr().out
    finally:
        portal.stop()
    verbs = [portal.statements[i]["verb"]["id"] for i in portal.order]
    assert verbs == [iris.INITIALIZED, iris.EXPERIENCED, iris.TERMINATED]
    actor = portal.statements[portal.order[0]]["actor"]
    assert actor["account"] == {"homePage": portal.base, "name": "exercise-controller"}
