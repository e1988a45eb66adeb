"""Command line: ``python -m simulations list|check|play|join|launch|sync``."""

from __future__ import annotations

import argparse
import os
import sys
import urllib.parse
import uuid
from pathlib import Path

import yaml

from simulations import SCENARIO_DIR
from simulations.engine import Scenario, ScenarioError, load_file, tr


class UsageError(Exception):
    """Bad arguments: reported in one line, exit status 2."""


class RunError(Exception):
    """Something outside the arguments failed (launch refused...): exit status 1."""


# --- scenarios ----------------------------------------------------------------------------------


def resolve_scenario(name: str) -> Scenario:
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.exists():
        candidate = path
    else:
        candidate = SCENARIO_DIR / f"{name}.yaml"
    if not candidate.exists():
        known = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml")))
        raise UsageError(f"unknown scenario {name!r}; available: {known}")
    try:
        return load_file(candidate)
    except ScenarioError as exc:
        raise RunError(f"scenario {name!r} is not valid:\n{exc}") from None


def cmd_list(args) -> int:
    rows = []
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        try:
            s = load_file(path)
        except ScenarioError as exc:
            rows.append(f"{path.stem:<14} INVALID ({len(exc.problems)} problems)")
            continue
        rows.append(
            f"{s.id:<14} {tr(s.title, 'en')}\n"
            f"{'':<14} languages: {', '.join(s.languages)}; injects: {len(s.injects)}; "
            f"decision points: {len(s.decisions)}; endings: {len(s.endings)}; "
            f"teams: {len(s.teams)}; {s.duration / 60:g} min"
        )
    print("\n".join(rows))
    return 0


def cmd_check(args) -> int:
    status = 0
    for name in args.files:
        try:
            s = load_file(name)
        except ScenarioError as exc:
            status = 1
            for problem in exc.problems:
                print(problem)
            print(f"{name}: {len(exc.problems)} problem(s)")
            continue
        print(
            f"OK {name}: {s.id} v{s.version}, languages {', '.join(s.languages)}, "
            f"{len(s.injects)} injects, {len(s.decisions)} decision points, "
            f"{len(s.endings)} endings"
        )
    return status


# --- play ---------------------------------------------------------------------------------------


def _size(value: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in value.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError("expected WIDTHxHEIGHT, e.g. 1280x720") from None
    if not (640 <= w <= 7680 and 480 <= h <= 4320):
        raise argparse.ArgumentTypeError("window size out of range (640x480 to 7680x4320)")
    return w, h


def _read_decisions(path: str, scenario: Scenario) -> dict[str, str]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"decisions file not found: {path}") from None
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read decisions file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping of decision id to option id")
    for decision_id, option_id in data.items():
        if not scenario.has("decision", str(decision_id)):
            raise UsageError(f"{path}: unknown decision {decision_id!r} in {scenario.id}")
        if scenario.decision(str(decision_id)).option(str(option_id)) is None:
            raise UsageError(f"{path}: decision {decision_id!r} has no option {option_id!r}")
    return {str(k): str(v) for k, v in data.items()}


def _outbox(args):
    from simulations.tracking import Outbox, default_data_dir

    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    return Outbox(data_dir / "outbox.sqlite3")


def _offline_session(args, scenario: Scenario, lang: str):
    from simulations import iris
    from simulations.tracking import Session, basic_auth

    given = [args.lrs, args.lrs_key, args.lrs_secret]
    if not any(given):
        return None
    if not all(given):
        raise UsageError("--lrs needs --lrs-key and --lrs-secret too")
    parsed = urllib.parse.urlparse(args.lrs)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UsageError(f"--lrs is not an http(s) address: {args.lrs!r}")
    origin = f"{parsed.scheme}://{parsed.netloc}"
    actor = {
        "objectType": "Agent",
        "name": "Exercise controller",
        "account": {"homePage": origin, "name": args.controller},
    }
    return Session(
        endpoint=args.lrs,
        auth=basic_auth(args.lrs_key, args.lrs_secret),
        actor=actor,
        registration=str(uuid.uuid4()),
        activity_id=iris.exercise_activity(origin, scenario.id),
        lang=lang,
    )


def _launch_from_url(url: str):
    import requests

    from simulations.launch import LaunchError, launch

    try:
        return launch(requests.Session(), url)
    except LaunchError as exc:
        raise RunError(f"launch failed: {exc}") from None


def run_play(args, scenario_name: str | None, launched=None) -> int:
    if args.headless and not args.autoplay:
        raise UsageError("--headless needs --autoplay (nobody can play a hidden window)")
    if args.screenshots and not args.autoplay:
        raise UsageError("--screenshots needs --autoplay")
    if args.launch and launched is None:
        from simulations.launch import LaunchError, read_launch_file

        try:
            url, _portal = read_launch_file(args.launch)
        except LaunchError as exc:
            raise UsageError(str(exc)) from None
        launched = _launch_from_url(url)
    data = launched[2] if launched else None
    if data is not None:
        if scenario_name and scenario_name != data.scenario:
            raise UsageError(f"the launch is for scenario {data.scenario!r}, not {scenario_name!r}")
        scenario_name = data.scenario
    if not scenario_name:
        raise UsageError("give a scenario id (see 'python -m simulations list') or --launch FILE")
    scenario = resolve_scenario(scenario_name)
    lang = args.lang or (data.lang if data and data.lang else None)
    if lang is None and data is not None:
        lang = next((x for x in data.preferred_languages if x in scenario.languages), None)
    lang = lang or "en"
    if lang not in scenario.languages:
        if args.lang:
            raise UsageError(
                f"scenario {scenario.id} has no {lang!r} text; "
                f"languages: {', '.join(scenario.languages)}"
            )
        print(f"note: {lang!r} is not available; using English")
        lang = "en"
    seed = args.seed if args.seed is not None else (data.seed if data and data.seed else 1)
    script = _read_decisions(args.decisions, scenario) if args.decisions else None

    tracker = outbox = None
    if launched is not None:
        from simulations.launch import session_from_launch

        session = session_from_launch(*launched, lang)
    else:
        session = _offline_session(args, scenario, lang)
    if session is not None:
        from simulations.tracking import Tracker

        outbox = _outbox(args)
        tracker = Tracker(session, scenario, outbox)
    mastery = data.mastery_score if data and data.mastery_score is not None else None

    if args.headless:
        os.environ["SDL_VIDEODRIVER"] = "dummy"
        os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame

    from simulations.ui.app import App, autoplay

    try:
        app = App(
            scenario,
            lang,
            seed,
            size=args.size,
            tracker=tracker,
            mastery_score=mastery,
            fullscreen=args.fullscreen,
        )
    except pygame.error as exc:
        if outbox is not None:
            outbox.close()
        raise RunError(
            f"cannot open a window ({exc}); on a machine without a display use "
            "--headless --autoplay"
        ) from None
    try:
        if args.autoplay:
            shots = Path(args.screenshots) if args.screenshots else None
            result = autoplay(app, seed, script, shots)
            ending = scenario.ending(result.ending)
            passed = result.score >= app.mastery_score
            print(f"Scenario: {scenario.id} ({tr(scenario.title, lang)})")
            print(f"Language: {lang}; seed: {seed}")
            for decision_id, option_id in result.decisions.items():
                print(f"  decision {decision_id}: {option_id}")
            print(f"Ending: {ending.id} ({ending.tone}): {tr(ending.title, lang)}")
            print(
                f"Score: {round(result.score * 100)}% "
                f"(pass mark {round(app.mastery_score * 100)}%): "
                f"{'passed' if passed else 'not passed'}"
            )
            for path in result.screenshots:
                print(f"Screenshot: {path}")
        else:
            app.run()
            if tracker is not None and not app.state.ended and tracker.started_at is not None:
                tracker.abandon()
    finally:
        app.close()
    if args.report:
        from simulations.report import aar_markdown

        try:
            Path(args.report).write_text(
                aar_markdown(app.state, lang, app.mastery_score), encoding="utf-8"
            )
        except OSError as exc:
            raise RunError(f"cannot write the review to {args.report}: {exc}") from None
        print(f"Review: {args.report}")
    if tracker is not None:
        report = tracker.flush()
        print(
            f"Statements: {len(tracker.sent)} recorded, {report.delivered} delivered now, "
            f"{report.pending} waiting in {outbox.path}"
        )
        if report.error:
            print(
                f"The LRS could not be reached ({report.error}); run "
                "'python -m simulations sync' when the link is back."
            )
        outbox.close()
    if data is not None and data.return_url:
        print(f"Return to the portal: {data.return_url}")
    return 0


def cmd_play(args) -> int:
    return run_play(args, args.scenario)


def cmd_join(args) -> int:
    import requests

    from simulations.launch import CODE_RE, LaunchError, join_code

    if not CODE_RE.match(args.code.strip()):
        raise UsageError(
            f"{args.code!r} is not a join code (letters, digits and '-', like ABC-123)"
        )
    try:
        url = join_code(requests.Session(), args.code, args.portal)
    except LaunchError as exc:
        raise RunError(str(exc)) from None
    return run_play(args, None, _launch_from_url(url))


def cmd_launch(args) -> int:
    from simulations.launch import LaunchError, parse_launch_url

    try:
        parse_launch_url(args.url)
    except LaunchError as exc:
        raise UsageError(str(exc)) from None
    return run_play(args, None, _launch_from_url(args.url))


def cmd_sync(args) -> int:
    from simulations.tracking import basic_auth

    if bool(args.lrs_key) != bool(args.lrs_secret):
        raise UsageError("give both --lrs-key and --lrs-secret, or neither")
    auth = basic_auth(args.lrs_key, args.lrs_secret) if args.lrs_key else None
    outbox = _outbox(args)
    try:
        report = outbox.deliver(auth=auth)
        print(
            f"Delivered {report.delivered}; waiting {report.pending}; refused {len(report.refused)}"
        )
        for statement_id, reason in report.refused:
            print(f"  refused {statement_id}: {reason}")
        if report.error:
            print(f"Stopped: {report.error}. The rest stays queued in {outbox.path}.")
    finally:
        outbox.close()
    return 0


# --- parser -------------------------------------------------------------------------------------


def _play_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--headless",
        action="store_true",
        help="no window (SDL dummy video driver); needs --autoplay",
    )
    parser.add_argument(
        "--autoplay",
        action="store_true",
        help="play to an end with seeded random decisions (or --decisions)",
    )
    parser.add_argument("--seed", type=int, help="random seed (default: launch seed or 1)")
    parser.add_argument("--lang", help="interface and scenario language, e.g. en, fr, ar")
    parser.add_argument("--screenshots", metavar="DIR", help="write PNG screenshots here")
    parser.add_argument(
        "--report", metavar="FILE", help="write the after-action review (Markdown) here"
    )
    parser.add_argument(
        "--decisions",
        metavar="FILE",
        help="YAML/JSON mapping of decision id to option id for --autoplay",
    )
    parser.add_argument("--launch", metavar="FILE", help="launch file from the portal")
    parser.add_argument("--lrs", metavar="URL", help="offline play: LRS endpoint for tracking")
    parser.add_argument("--lrs-key", metavar="K")
    parser.add_argument("--lrs-secret", metavar="S")
    parser.add_argument(
        "--controller",
        default="exercise-controller",
        help="account name of the controller for offline tracking",
    )
    parser.add_argument("--data-dir", metavar="DIR", help="where the statement outbox lives")
    parser.add_argument("--size", type=_size, default=(1280, 720), metavar="WxH")
    parser.add_argument("--fullscreen", action="store_true")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulations",
        description="UNMIC tabletop exercises: scenarios, desktop app and tracking.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("list", help="list the scenarios")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("check", help="validate scenario files")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("play", help="play a scenario")
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario id or YAML file")
    _play_options(p)
    p.set_defaults(func=cmd_play)
    p = sub.add_parser("join", help="join an exercise run with the code from the portal")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--portal", required=True, metavar="URL", help="portal address")
    _play_options(p)
    p.set_defaults(func=cmd_join)
    p = sub.add_parser("launch", help="start from a cmi5 launch URL")
    p.add_argument("url", metavar="URL")
    _play_options(p)
    p.set_defaults(func=cmd_launch)
    p = sub.add_parser("sync", help="send queued statements to the LRS")
    p.add_argument("--data-dir", metavar="DIR")
    p.add_argument(
        "--lrs-key", metavar="K", help="LRS key to use instead of the stored credentials"
    )
    p.add_argument("--lrs-secret", metavar="S", help="LRS secret that goes with --lrs-key")
    p.set_defaults(func=cmd_sync)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except RunError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
