"""Load a scenario file and check it against the scenario schema.

Every problem is collected (not only the first) with the file name, the line where the YAML
parser can tell it, and the path of the bad field, e.g. ``injects[3].text.ar``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from simulations.engine.errors import Problem, ScenarioError
from simulations.engine.model import (
    INJECT_KINDS,
    PLACE_KINDS,
    SAGE_FIELDS,
    DecisionPoint,
    Ending,
    Inject,
    MapSpec,
    Option,
    Place,
    Road,
    Role,
    SageReport,
    Scenario,
    Sector,
    Team,
    Unit,
)
from simulations.engine.rules import Refs, build_actions, build_condition
from simulations.engine.scoring import DIMENSIONS, SCORE_MAX

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)?$")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
ENDING_TONES = ("good", "mixed", "bad")


def _line_map(root: Any) -> dict[str, int]:
    """Map each field path to its 1-based line number, from the composed YAML node tree."""
    lines: dict[str, int] = {}

    def walk(node: Any, path: str) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = str(key.value)
                child = f"{path}.{name}" if path else name
                lines[child] = key.start_mark.line + 1
                walk(value, child)
                lines[child] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}[{i}]")

    if root is not None:
        walk(root, "")
    return lines


class _Reader:
    """Collects problems while turning the raw mapping into model objects."""

    def __init__(self, file: str, lines: dict[str, int]):
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []
        self.languages: tuple[str, ...] = ("en",)

    def error(self, path: str, message: str) -> None:
        probe = path
        line = self.lines.get(probe)
        while line is None and probe:
            parent = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe)
            if parent == probe:
                break
            probe = parent
            line = self.lines.get(probe)
        self.problems.append(Problem(self.file, line, path, message))

    # --- field readers ---

    def mapping(self, data: Any, path: str, required=(), optional=()) -> dict | None:
        if not isinstance(data, dict):
            self.error(path, "expected a mapping")
            return None
        for key in required:
            if key not in data:
                self.error(f"{path}.{key}" if path else key, "missing required field")
        for key in data:
            if key not in required and key not in optional:
                self.error(f"{path}.{key}" if path else str(key), "unknown field")
        return data

    def ident(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not ID_RE.match(value):
            self.error(path, "expected an id of lower-case letters, digits, '-' or '_'")
            return str(value)
        return value

    def number(self, value: Any, path: str, lo=None, hi=None) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.error(path, "expected a number")
            return 0.0
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            self.error(path, f"expected a number between {lo} and {hi}")
        return float(value)

    def text(self, value: Any, path: str) -> dict[str, str]:
        if not isinstance(value, dict):
            self.error(path, "expected a text in each language, e.g. {en: ..., fr: ..., ar: ...}")
            return {}
        for lang in self.languages:
            if lang not in value:
                self.error(f"{path}.{lang}", f"missing the {lang!r} text")
            elif not isinstance(value[lang], str) or not value[lang].strip():
                self.error(f"{path}.{lang}", "expected a non-empty text")
        for lang in value:
            if lang not in self.languages:
                self.error(f"{path}.{lang}", f"language {lang!r} is not declared in languages")
        return {k: str(v).strip() for k, v in value.items() if isinstance(v, str)}

    def point(self, value: Any, path: str, size: tuple[float, float]) -> tuple[float, float]:
        if (
            not isinstance(value, list)
            or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            self.error(path, "expected map coordinates [x, y]")
            return (0.0, 0.0)
        x, y = float(value[0]), float(value[1])
        if not (0 <= x <= size[0] and 0 <= y <= size[1]):
            self.error(path, f"coordinates lie outside the map (0..{size[0]:g}, 0..{size[1]:g})")
        return (x, y)

    def listing(self, value: Any, path: str, min_len: int = 0) -> list:
        if not isinstance(value, list):
            self.error(path, "expected a list")
            return []
        if len(value) < min_len:
            self.error(path, f"expected at least {min_len} entries")
        return value

    def unique(self, ids: list[tuple[str, str]], what: str) -> None:
        seen: set[str] = set()
        for item_id, path in ids:
            if item_id in seen:
                self.error(path, f"duplicate {what} id {item_id!r}")
            seen.add(item_id)

    def rule_problems(self, refs: Refs) -> None:
        for path, message in refs.errors:
            self.error(path, message)
        refs.errors.clear()


def _minutes(reader: _Reader, value: Any, path: str) -> float:
    return reader.number(value, path, lo=0) * 60


def parse_scenario(data: Any, file: str = "<scenario>", lines: dict | None = None) -> Scenario:
    """Build a scenario from already-parsed YAML data; raise ScenarioError with every problem."""
    r = _Reader(file, lines or {})
    top = r.mapping(
        data,
        "",
        required=(
            "id",
            "version",
            "languages",
            "title",
            "summary",
            "briefing",
            "clock",
            "map",
            "roles",
            "teams",
            "variables",
            "injects",
            "decisions",
            "endings",
        ),
        optional=("mastery_score",),
    )
    if top is None:
        raise ScenarioError(r.problems)

    langs = r.listing(top.get("languages"), "languages", 1)
    if not all(isinstance(x, str) and LANG_RE.match(x) for x in langs):
        r.error("languages", "expected language codes such as en, fr, ar")
    elif "en" not in langs:
        r.error("languages", "English (en) is required: it is the fallback language")
    r.languages = tuple(x for x in langs if isinstance(x, str)) or ("en",)

    scenario_id = r.ident(top.get("id"), "id")
    if file != "<scenario>" and Path(file).stem != scenario_id:
        r.error("id", f"the id must match the file name ({Path(file).stem!r})")
    version = top.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        r.error("version", "expected a positive whole number")
    mastery = r.number(top.get("mastery_score", 0.7), "mastery_score", 0, 1)
    title = r.text(top.get("title"), "title")
    summary = r.text(top.get("summary"), "summary")
    briefing = r.text(top.get("briefing"), "briefing")

    clock = (
        r.mapping(top.get("clock"), "clock", required=("start", "duration"), optional=("rate",))
        or {}
    )
    start = clock.get("start", "06:00")
    if not isinstance(start, str) or not TIME_RE.match(start):
        r.error("clock.start", "expected a time of day HH:MM")
    duration = _minutes(r, clock.get("duration", 60), "clock.duration")
    rate = r.number(clock.get("rate", 60), "clock.rate", 1, 3600)

    # -- map --
    m = (
        r.mapping(
            top.get("map"),
            "map",
            required=("size", "places"),
            optional=("sectors", "roads", "units"),
        )
        or {}
    )
    size_raw = m.get("size", [100, 60])
    if (
        not isinstance(size_raw, list)
        or len(size_raw) != 2
        or not all(isinstance(v, int | float) and v > 0 for v in size_raw)
    ):
        r.error("map.size", "expected [width, height] in map units")
        size_raw = [100, 60]
    size = (float(size_raw[0]), float(size_raw[1]))
    places, sectors, roads, units = [], [], [], []
    for i, raw in enumerate(r.listing(m.get("places", []), "map.places", 1)):
        p = f"map.places[{i}]"
        d = r.mapping(raw, p, required=("id", "kind", "name", "pos"))
        if d is None:
            continue
        if d.get("kind") not in PLACE_KINDS:
            r.error(f"{p}.kind", "expected one of: " + ", ".join(PLACE_KINDS))
        places.append(
            Place(
                r.ident(d.get("id"), f"{p}.id"),
                str(d.get("kind")),
                r.text(d.get("name"), f"{p}.name"),
                r.point(d.get("pos"), f"{p}.pos", size),
            )
        )
    for i, raw in enumerate(r.listing(m.get("sectors", []), "map.sectors")):
        p = f"map.sectors[{i}]"
        d = r.mapping(raw, p, required=("id", "name", "polygon"))
        if d is None:
            continue
        pts = r.listing(d.get("polygon"), f"{p}.polygon", 3)
        sectors.append(
            Sector(
                r.ident(d.get("id"), f"{p}.id"),
                r.text(d.get("name"), f"{p}.name"),
                tuple(r.point(q, f"{p}.polygon[{j}]", size) for j, q in enumerate(pts)),
            )
        )
    for i, raw in enumerate(r.listing(m.get("roads", []), "map.roads")):
        p = f"map.roads[{i}]"
        d = r.mapping(raw, p, required=("id", "name", "points"))
        if d is None:
            continue
        pts = r.listing(d.get("points"), f"{p}.points", 2)
        roads.append(
            Road(
                r.ident(d.get("id"), f"{p}.id"),
                r.text(d.get("name"), f"{p}.name"),
                tuple(r.point(q, f"{p}.points[{j}]", size) for j, q in enumerate(pts)),
            )
        )
    place_ids = {pl.id for pl in places}
    for i, raw in enumerate(r.listing(m.get("units", []), "map.units")):
        p = f"map.units[{i}]"
        d = r.mapping(raw, p, required=("id", "name", "kind", "at"))
        if d is None:
            continue
        at = d.get("at")
        if isinstance(at, str):
            if at not in place_ids:
                r.error(f"{p}.at", f"unknown place {at!r}")
                pos = (0.0, 0.0)
            else:
                pos = next(pl.pos for pl in places if pl.id == at)
        else:
            pos = r.point(at, f"{p}.at", size)
        units.append(
            Unit(
                r.ident(d.get("id"), f"{p}.id"),
                r.text(d.get("name"), f"{p}.name"),
                str(d.get("kind")),
                pos,
            )
        )
    r.unique([(x.id, f"map.places[{i}].id") for i, x in enumerate(places)], "place")
    r.unique([(x.id, f"map.units[{i}].id") for i, x in enumerate(units)], "unit")

    # -- roles and teams --
    roles = []
    for i, raw in enumerate(r.listing(top.get("roles"), "roles", 1)):
        d = r.mapping(raw, f"roles[{i}]", required=("id", "name"))
        if d is not None:
            roles.append(
                Role(
                    r.ident(d.get("id"), f"roles[{i}].id"),
                    r.text(d.get("name"), f"roles[{i}].name"),
                )
            )
    role_ids = {x.id for x in roles}
    teams = []
    for i, raw in enumerate(r.listing(top.get("teams"), "teams", 1)):
        p = f"teams[{i}]"
        d = r.mapping(raw, p, required=("id", "name", "roles"))
        if d is None:
            continue
        team_roles = r.listing(d.get("roles"), f"{p}.roles", 1)
        for j, role in enumerate(team_roles):
            if role not in role_ids:
                r.error(f"{p}.roles[{j}]", f"unknown role {role!r}")
        teams.append(
            Team(
                r.ident(d.get("id"), p + ".id"),
                r.text(d.get("name"), p + ".name"),
                tuple(str(x) for x in team_roles),
            )
        )
    r.unique([(x.id, f"roles[{i}].id") for i, x in enumerate(roles)], "role")
    r.unique([(x.id, f"teams[{i}].id") for i, x in enumerate(teams)], "team")
    team_ids = {t.id: t for t in teams}

    # -- variables --
    variables = top.get("variables")
    if not isinstance(variables, dict):
        r.error("variables", "expected a mapping of variable names to initial values")
        variables = {}
    for name, value in variables.items():
        if not isinstance(name, str) or not ID_RE.match(name):
            r.error(f"variables.{name}", "expected a lower-case variable name")
        if not isinstance(value, bool | int | float | str):
            r.error(f"variables.{name}", "expected a number, true/false or a string")

    # -- first pass over injects and decisions: ids for references --
    raw_injects = r.listing(top.get("injects"), "injects", 1)
    raw_decisions = r.listing(top.get("decisions"), "decisions", 1)
    refs = Refs(places=place_ids, units={u.id for u in units}, variables=dict(variables))
    for raw in raw_injects:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            refs.injects.add(raw["id"])
    for raw in raw_decisions:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            opts = raw.get("options") if isinstance(raw.get("options"), list) else []
            refs.decisions[raw["id"]] = {o.get("id") for o in opts if isinstance(o, dict)}

    injects = []
    for i, raw in enumerate(raw_injects):
        p = f"injects[{i}]"
        d = r.mapping(
            raw,
            p,
            required=("id", "kind", "title", "text"),
            optional=("at", "when", "manual", "jitter", "from", "place", "sage", "effects"),
        )
        if d is None:
            continue
        if d.get("kind") not in INJECT_KINDS:
            r.error(f"{p}.kind", "expected one of: " + ", ".join(INJECT_KINDS))
        at = _minutes(r, d["at"], f"{p}.at") if "at" in d else None
        when = build_condition(d["when"], f"{p}.when", refs) if "when" in d else None
        manual = bool(d.get("manual", False))
        if at is None and when is None and not manual:
            r.error(p, "give 'at' (minutes), 'when' (a condition) or 'manual: true'")
        place = d.get("place")
        if place is not None and place not in place_ids:
            r.error(f"{p}.place", f"unknown place {place!r}")
        sage = None
        if "sage" in d:
            s = r.mapping(d["sage"], f"{p}.sage", required=SAGE_FIELDS)
            if s is not None:
                sage = SageReport(**{f: r.text(s.get(f), f"{p}.sage.{f}") for f in SAGE_FIELDS})
        injects.append(
            Inject(
                id=r.ident(d.get("id"), f"{p}.id"),
                kind=str(d.get("kind")),
                title=r.text(d.get("title"), f"{p}.title"),
                text=r.text(d.get("text"), f"{p}.text"),
                at=at,
                when=when,
                manual=manual,
                jitter=_minutes(r, d.get("jitter", 0), f"{p}.jitter"),
                sender=r.text(d["from"], f"{p}.from") if "from" in d else None,
                place=place,
                sage=sage,
                effects=build_actions(d.get("effects"), f"{p}.effects", refs),
            )
        )
        r.rule_problems(refs)
    r.unique([(x.id, f"injects[{i}].id") for i, x in enumerate(injects)], "inject")

    decisions = []
    for i, raw in enumerate(raw_decisions):
        p = f"decisions[{i}]"
        d = r.mapping(
            raw,
            p,
            required=("id", "team", "role", "opens", "prompt", "options"),
            optional=("timeout", "on_timeout"),
        )
        if d is None:
            continue
        team = d.get("team")
        if team not in team_ids:
            r.error(f"{p}.team", f"unknown team {team!r}")
        elif d.get("role") not in team_ids[team].roles:
            r.error(f"{p}.role", f"role {d.get('role')!r} is not in team {team!r}")
        options = []
        for j, raw_opt in enumerate(r.listing(d.get("options"), f"{p}.options", 2)):
            q = f"{p}.options[{j}]"
            o = r.mapping(
                raw_opt, q, required=("id", "label", "scores", "explanation"), optional=("effects",)
            )
            if o is None:
                continue
            scores = r.mapping(o.get("scores"), f"{q}.scores", optional=DIMENSIONS) or {}
            if not scores:
                r.error(f"{q}.scores", "score at least one dimension: " + ", ".join(DIMENSIONS))
            for dim, value in scores.items():
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int)
                    or not (0 <= value <= SCORE_MAX)
                ):
                    r.error(f"{q}.scores.{dim}", f"expected a whole number from 0 to {SCORE_MAX}")
            options.append(
                Option(
                    r.ident(o.get("id"), f"{q}.id"),
                    r.text(o.get("label"), f"{q}.label"),
                    {k: v for k, v in scores.items() if k in DIMENSIONS and isinstance(v, int)},
                    r.text(o.get("explanation"), f"{q}.explanation"),
                    build_actions(o.get("effects"), f"{q}.effects", refs),
                )
            )
        r.unique([(x.id, f"{p}.options[{j}].id") for j, x in enumerate(options)], "option")
        opens = build_condition(d.get("opens"), f"{p}.opens", refs)
        timeout = _minutes(r, d["timeout"], f"{p}.timeout") if "timeout" in d else None
        decisions.append(
            DecisionPoint(
                id=r.ident(d.get("id"), f"{p}.id"),
                team=str(team),
                role=str(d.get("role")),
                prompt=r.text(d.get("prompt"), f"{p}.prompt"),
                options=tuple(options),
                opens=opens,
                timeout=timeout,
                on_timeout=build_actions(d.get("on_timeout"), f"{p}.on_timeout", refs),
            )
        )
        r.rule_problems(refs)
    r.unique([(x.id, f"decisions[{i}].id") for i, x in enumerate(decisions)], "decision")

    endings = []
    raw_endings = r.listing(top.get("endings"), "endings", 2)
    for i, raw in enumerate(raw_endings):
        p = f"endings[{i}]"
        d = r.mapping(raw, p, required=("id", "tone", "title", "text"), optional=("when",))
        if d is None:
            continue
        if d.get("tone") not in ENDING_TONES:
            r.error(f"{p}.tone", "expected one of: " + ", ".join(ENDING_TONES))
        when = build_condition(d["when"], f"{p}.when", refs) if "when" in d else None
        if when is None and "when" not in d and i != len(raw_endings) - 1:
            r.error(f"{p}.when", "only the last ending may omit 'when' (it is the default)")
        endings.append(
            Ending(
                r.ident(d.get("id"), f"{p}.id"),
                str(d.get("tone")),
                r.text(d.get("title"), f"{p}.title"),
                r.text(d.get("text"), f"{p}.text"),
                when,
            )
        )
        r.rule_problems(refs)
    if raw_endings and isinstance(raw_endings[-1], dict) and "when" in raw_endings[-1]:
        r.error(
            f"endings[{len(raw_endings) - 1}]",
            "the last ending is the default and must not have 'when'",
        )
    r.unique([(x.id, f"endings[{i}].id") for i, x in enumerate(endings)], "ending")

    if r.problems:
        raise ScenarioError(r.problems)
    return Scenario(
        id=scenario_id,
        version=int(version),
        languages=r.languages,
        title=title,
        summary=summary,
        briefing=briefing,
        start_time=start,
        duration=duration,
        clock_rate=rate,
        mastery_score=mastery,
        map=MapSpec(size[0], size[1], tuple(sectors), tuple(places), tuple(roads), tuple(units)),
        roles=tuple(roles),
        teams=tuple(teams),
        variables=dict(variables),
        injects=tuple(injects),
        decisions=tuple(decisions),
        endings=tuple(endings),
        source=file,
    )


def load_text(text: str, file: str = "<scenario>") -> Scenario:
    """Parse YAML text and build the scenario; raise ScenarioError on any problem."""
    # parse once: the nodes give the lines, then the data (libyaml when available)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([Problem(file, line, "", f"not valid YAML: {reason}")]) from None
    finally:
        loader.dispose()
    return parse_scenario(data, file, _line_map(root) if root is not None else {})


def load_file(path: str | Path) -> Scenario:
    """Load and check one scenario file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(str(path), None, "", f"cannot read file: {exc}")]) from None
    return load_text(text, str(path))
