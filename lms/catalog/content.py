"""Course content on disk: load a course folder and check every rule of courses/README.md.

Pure Python (no Flask, no database). :func:`load_course` returns the course and the list of
problems, each with the file and line it comes from; a course with any problem is not imported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

LANGUAGE_CODES = ("en", "fr", "es", "ar", "ru", "zh", "pt", "bn", "ne", "hi", "ur")
TOPICS = (
    "digital-literacy",
    "cyber-hygiene",
    "opsec",
    "information-integrity",
    "data-ethics",
    "reporting",
    "safety",
    "mission-tools",
)
COMPLETION_RULES = ("Completed", "Passed", "CompletedAndPassed", "CompletedOrPassed")
QUESTION_TYPES = ("single", "multiple", "truefalse", "ordering", "matching", "scenario")

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ITEM_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
IMAGE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}\.(?:svg|png)$")
MAX_IMAGE_BYTES = 30 * 1024
MIN_WORDS, MAX_WORDS = 300, 900
UNSAFE_SVG = re.compile(
    rb"<\s*script|<\s*foreignObject|\son[a-z]+\s*=|javascript:|<\s*iframe|<!ENTITY|xlink:href\s*=\s*[\"']?https?:|href\s*=\s*[\"']?https?:",
    re.IGNORECASE,
)

COURSE_KEYS = {
    "id": True,
    "version": True,
    "topic": True,
    "languages": True,
    "estimated_minutes": True,
    "prerequisites": False,
    "completion": True,
    "validity_months": True,
    "title": True,
    "description": True,
    "modules": True,
}
QUIZ_KEYS = {
    "pass_mark": True,
    "max_attempts": True,
    "wait_minutes": True,
    "questions_per_attempt": False,
    "questions": True,
}


# -- YAML with line numbers ----------------------------------------------------------------


class LDict(dict):
    """A mapping read from YAML that remembers its own line and the line of each key."""

    line = 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}

    def line_of(self, key) -> int:
        return self.lines.get(key, self.line)


class LList(list):
    """A sequence read from YAML that remembers its own line and the line of each item."""

    line = 0

    def __init__(self, *args):
        super().__init__(*args)
        self.lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.lines[index] if 0 <= index < len(self.lines) else self.line


class _LineLoader(yaml.SafeLoader):
    """PyYAML's safe loader, keeping line numbers and reporting duplicate keys."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[int, object]] = []


def _construct_map(loader: _LineLoader, node):
    data = LDict()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in data:
            loader.duplicates.append((key_node.start_mark.line + 1, key))
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = key_node.start_mark.line + 1


def _construct_seq(loader: _LineLoader, node):
    data = LList()
    data.line = node.start_mark.line + 1
    yield data
    for item in node.value:
        data.append(loader.construct_object(item, deep=True))
        data.lines.append(item.start_mark.line + 1)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


# -- what a course is ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )


@dataclass
class Lesson:
    id: str
    minutes: int
    title: dict[str, str]
    module_id: str
    line: int = 0  # where course.yaml lists it


@dataclass
class Module:
    id: str
    title: dict[str, str]
    lessons: list[Lesson]


@dataclass
class Course:
    id: str
    version: int
    topic: str
    languages: list[str]
    estimated_minutes: int
    prerequisites: list[str]
    completion: str
    validity_months: int
    title: dict[str, str]
    description: dict[str, str]
    modules: list[Module]
    quiz: dict | None
    folder: Path
    texts: dict[tuple[str, str], str] = field(default_factory=dict)  # (lesson, lang) -> Markdown
    images: list[str] = field(default_factory=list)

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]

    def outline(self) -> list[dict]:
        """The modules and lessons as plain data, for the database."""
        return [
            {
                "id": m.id,
                "title": dict(m.title),
                "lessons": [
                    {"id": les.id, "minutes": les.minutes, "title": dict(les.title)}
                    for les in m.lessons
                ],
            }
            for m in self.modules
        ]


class _Report:
    def __init__(self, path: Path, root: Path):
        self.path = path
        self.root = root
        self.problems: list[Problem] = []

    def shown(self, path: Path | None = None) -> str:
        p = path or self.path
        try:
            return str(p.relative_to(self.root))
        except ValueError:
            return str(p)

    def add(self, line: int, message: str, path: Path | None = None) -> None:
        self.problems.append(Problem(self.shown(path), line, message))


# -- checks of single values ---------------------------------------------------------------


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _line(container, key) -> int:
    if isinstance(container, LDict):
        return container.line_of(key)
    if isinstance(container, LList):
        return container.line_of(key)
    return 0


def _check_keys(report: _Report, data: LDict, spec: dict[str, bool], where: str) -> None:
    for key, required in spec.items():
        if required and key not in data:
            report.add(data.line, f"{where}: missing key {key!r}")
    for key in data:
        if key not in spec:
            report.add(data.line_of(key), f"{where}: unknown key {key!r}")


def _check_map(report: _Report, parent, key, languages: list[str], where: str) -> dict[str, str]:
    """A language map: one non-empty text per language of the course."""
    value = parent.get(key) if isinstance(parent, dict) else None
    line = _line(parent, key)
    if value is None:
        report.add(line, f"{where}: missing {key!r}")
        return {}
    if not isinstance(value, dict):
        report.add(line, f"{where}: {key!r} must be a language map (one text per language)")
        return {}
    result: dict[str, str] = {}
    for lang, text in value.items():
        if lang not in LANGUAGE_CODES:
            report.add(
                _line(value, lang), f"{where}: {key!r} has an unknown language code {lang!r}"
            )
            continue
        if not isinstance(text, str) or not text.strip():
            report.add(_line(value, lang), f"{where}: {key!r} [{lang}] must be a non-empty text")
            continue
        result[lang] = text.strip()
    for lang in languages:
        if lang not in value:
            report.add(line, f"{where}: {key!r} misses the language {lang!r}")
    return {lang: result[lang] for lang in languages if lang in result}


def _check_id(report: _Report, parent: dict, key: str, where: str, pattern=ID_RE) -> str | None:
    value = parent.get(key)
    if not isinstance(value, str) or not pattern.match(value):
        report.add(
            _line(parent, key),
            f"{where}: {key!r} must be lower-case letters, digits and hyphens, got {value!r}",
        )
        return None
    return value


def _positive_int(report: _Report, parent: dict, key: str, where: str, minimum: int = 1):
    value = parent.get(key)
    if not _is_int(value) or value < minimum:
        report.add(
            _line(parent, key), f"{where}: {key!r} must be a whole number of at least {minimum}"
        )
        return None
    return value


def _read_yaml(report: _Report, path: Path):
    if not path.is_file():
        report.add(0, "file missing", path)
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        report.add(0, f"not UTF-8 text ({exc.reason})", path)
        return None
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        report.add(line, f"invalid YAML: {getattr(exc, 'problem', None) or exc}", path)
        return None
    finally:
        loader.dispose()
    for line, key in loader.duplicates:
        report.add(line, f"duplicate key {key!r}", path)
    if not isinstance(data, LDict):
        report.add(1, "the file must hold a mapping (key: value lines)", path)
        return None
    return data


# -- course.yaml ---------------------------------------------------------------------------


def _check_course_yaml(report: _Report, data: LDict, folder: Path) -> Course | None:
    _check_keys(report, data, COURSE_KEYS, "course")
    course_id = _check_id(report, data, "id", "course")
    if course_id and course_id != folder.name:
        report.add(
            data.line_of("id"),
            f"course: id {course_id!r} differs from the folder name {folder.name!r}",
        )
    version = _positive_int(report, data, "version", "course")
    topic = data.get("topic")
    if topic not in TOPICS:
        report.add(
            data.line_of("topic"), f"course: topic {topic!r} is not one of {', '.join(TOPICS)}"
        )
    languages = data.get("languages")
    langs: list[str] = []
    if not isinstance(languages, list) or not languages:
        report.add(data.line_of("languages"), "course: 'languages' must be a non-empty list")
    else:
        for index, lang in enumerate(languages):
            if lang not in LANGUAGE_CODES:
                report.add(languages.line_of(index), f"course: unknown language code {lang!r}")
            elif lang in langs:
                report.add(languages.line_of(index), f"course: language {lang!r} listed twice")
            else:
                langs.append(lang)
        if languages[0] != "en":
            report.add(data.line_of("languages"), "course: 'en' must be the first language")
    minutes = _positive_int(report, data, "estimated_minutes", "course")
    prereqs = data.get("prerequisites") or []
    prerequisites: list[str] = []
    if not isinstance(prereqs, list):
        report.add(
            data.line_of("prerequisites"), "course: 'prerequisites' must be a list of course ids"
        )
    else:
        for index, item in enumerate(prereqs):
            if not isinstance(item, str) or not ID_RE.match(item):
                report.add(prereqs.line_of(index), f"course: invalid prerequisite id {item!r}")
            elif item == course_id:
                report.add(
                    prereqs.line_of(index), "course: a course cannot be its own prerequisite"
                )
            else:
                prerequisites.append(item)
    completion = data.get("completion")
    if completion not in COMPLETION_RULES:
        report.add(
            data.line_of("completion"),
            f"course: completion {completion!r} is not one of {', '.join(COMPLETION_RULES)}",
        )
    validity = _positive_int(report, data, "validity_months", "course")
    title = _check_map(report, data, "title", langs, "course")
    description = _check_map(report, data, "description", langs, "course")

    modules: list[Module] = []
    seen_modules: set[str] = set()
    seen_lessons: set[str] = set()
    raw_modules = data.get("modules")
    if not isinstance(raw_modules, list) or not raw_modules:
        report.add(data.line_of("modules"), "course: 'modules' must be a non-empty list")
        raw_modules = []
    for mindex, raw in enumerate(raw_modules):
        if not isinstance(raw, LDict):
            report.add(raw_modules.line_of(mindex), "module: must be a mapping")
            continue
        _check_keys(report, raw, {"id": True, "title": True, "lessons": True}, "module")
        module_id = _check_id(report, raw, "id", "module")
        where = f"module {module_id or mindex + 1}"
        if module_id in seen_modules:
            report.add(raw.line_of("id"), f"{where}: module id used twice")
        seen_modules.add(module_id)
        mtitle = _check_map(report, raw, "title", langs, where)
        lessons: list[Lesson] = []
        raw_lessons = raw.get("lessons")
        if not isinstance(raw_lessons, list) or not raw_lessons:
            report.add(raw.line_of("lessons"), f"{where}: 'lessons' must be a non-empty list")
            raw_lessons = []
        for lindex, rl in enumerate(raw_lessons):
            if not isinstance(rl, LDict):
                report.add(raw_lessons.line_of(lindex), f"{where}: each lesson must be a mapping")
                continue
            _check_keys(report, rl, {"id": True, "minutes": True, "title": True}, "lesson")
            lesson_id = _check_id(report, rl, "id", "lesson")
            lwhere = f"lesson {lesson_id or lindex + 1}"
            if lesson_id in seen_lessons:
                report.add(rl.line_of("id"), f"{lwhere}: lesson id used twice in the course")
            seen_lessons.add(lesson_id)
            lminutes = _positive_int(report, rl, "minutes", lwhere)
            ltitle = _check_map(report, rl, "title", langs, lwhere)
            if lesson_id:
                lessons.append(
                    Lesson(lesson_id, lminutes or 0, ltitle, module_id or "", rl.line_of("id"))
                )
        if module_id:
            modules.append(Module(module_id, mtitle, lessons))
    if not (course_id and version and minutes and validity and langs):
        return None
    return Course(
        id=course_id,
        version=version,
        topic=str(topic),
        languages=langs,
        estimated_minutes=minutes,
        prerequisites=prerequisites,
        completion=str(completion),
        validity_months=validity,
        title=title,
        description=description,
        modules=modules,
        quiz=None,
        folder=folder,
    )


# -- lessons -------------------------------------------------------------------------------

_CHECK_MD = MarkdownIt("commonmark")  # html on: raw HTML is found and reported
# Every link becomes a link token here, so that unsafe ones are found and reported.
_CHECK_MD.validateLink = lambda url: True  # type: ignore[method-assign]


def is_safe_href(href: str) -> bool:
    """http(s) links, and relative links without a scheme (never javascript:, data:...)."""
    if href.lower().startswith(("http://", "https://")):
        return True
    head = re.split(r"[/?#]", href, maxsplit=1)[0]
    return ":" not in head and not href.startswith("//")


def count_words(text: str, lang: str) -> int:
    """Words of a lesson; a Chinese character counts as half a word."""
    if lang == "zh":
        han = sum(1 for ch in text if unicodedata.east_asian_width(ch) == "W" and ch.isalpha())
        rest = re.sub(r"[\u2e80-\u9fff\uf900-\ufaff]", " ", text)
        return han // 2 + len(re.findall(r"\w+", rest))
    # Whitespace-separated words with a letter or digit (Devanagari and Bengali vowel signs are
    # combining marks, so a regular-expression \w would split words apart).
    return sum(1 for token in text.split() if any(ch.isalnum() for ch in token))


def _plain_text(tokens) -> str:
    parts = []
    for token in tokens:
        if token.type == "inline":
            parts.append(token.content)
    return "\n".join(parts)


def check_lesson_markdown(text: str, lang: str, images: set[str]) -> list[tuple[int, str]]:
    """The problems of one lesson's Markdown, as (line, message) pairs."""
    problems: list[tuple[int, str]] = []
    tokens = _CHECK_MD.parse(text)
    h2_positions: list[int] = []
    for index, token in enumerate(tokens):
        line = token.map[0] + 1 if token.map else 0
        if token.type == "heading_open":
            if token.tag == "h1":
                problems.append(
                    (line, "level-1 heading: the title comes from course.yaml; use ## and ###")
                )
            elif token.tag == "h2":
                h2_positions.append(index)
            elif token.tag in ("h4", "h5", "h6"):
                problems.append((line, "use ## and ### headings only"))
        if token.type == "html_block":
            problems.append((line, "raw HTML is not allowed"))
        if token.type == "inline":
            for child in token.children or []:
                if child.type == "html_inline":
                    problems.append((line, f"raw HTML is not allowed: {child.content!r}"))
                elif child.type == "image":
                    src = child.attrs.get("src", "")
                    alt = "".join(c.content for c in child.children or []).strip()
                    name = src[len("images/") :] if src.startswith("images/") else None
                    if name is None or not IMAGE_NAME_RE.match(name):
                        problems.append((line, f"image {src!r} must be images/<name>.svg or .png"))
                    elif name not in images:
                        problems.append((line, f"image {src!r}: no such file in images/"))
                    if not alt:
                        problems.append((line, f"image {src!r} needs a description"))
                elif child.type == "link_open":
                    href = str(child.attrs.get("href", ""))
                    if not is_safe_href(href):
                        problems.append((line, f"link {href!r}: only http(s) and relative links"))
    words = count_words(_plain_text(tokens), lang)
    if not MIN_WORDS <= words <= MAX_WORDS:
        problems.append((1, f"{words} words; a lesson has {MIN_WORDS} to {MAX_WORDS}"))
    if not h2_positions:
        problems.append((1, "no ## sections; close with a Key points section"))
        return problems
    last = h2_positions[-1]
    heading = tokens[last + 1].content.strip() if last + 1 < len(tokens) else ""
    line = tokens[last].map[0] + 1 if tokens[last].map else 0
    if lang == "en" and heading.lower() != "key points":
        problems.append((line, f"the last section must be '## Key points', found {heading!r}"))
    tail = tokens[last + 3 :]
    items = 0
    depth = 0
    for token in tail:
        if token.type == "bullet_list_open":
            depth += 1
        elif token.type == "bullet_list_close":
            depth -= 1
        elif token.type == "list_item_open" and depth == 1:
            items += 1
    if not 3 <= items <= 6:
        problems.append(
            (line, f"the Key points section has {items} bullet points; use three to six")
        )
    return problems


def _check_lessons(report: _Report, course: Course) -> None:
    for lang in course.languages:
        for lesson in course.lessons:
            path = course.folder / "lessons" / lang / f"{lesson.id}.md"
            if not path.is_file():
                report.add(
                    lesson.line,
                    f"lesson {lesson.id!r}: file missing for {lang!r}: {report.shown(path)}",
                )
                continue
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                report.add(0, f"not UTF-8 text ({exc.reason})", path)
                continue
            for line, message in check_lesson_markdown(text, lang, set(course.images)):
                report.add(line, message, path)
            course.texts[(lesson.id, lang)] = text


def _check_images(report: _Report, course: Course) -> None:
    folder = course.folder / "images"
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if not IMAGE_NAME_RE.match(path.name) or not path.is_file():
            report.add(
                0, "image names are lower-case letters, digits, - or _, ending .svg or .png", path
            )
            continue
        data = path.read_bytes()
        if len(data) > MAX_IMAGE_BYTES:
            report.add(0, f"{len(data) // 1024} KB; an image is under 30 KB", path)
            continue
        if path.suffix == ".svg" and UNSAFE_SVG.search(data):
            report.add(0, "SVG with scripts, event handlers or external links is not allowed", path)
            continue
        if path.suffix == ".png" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
            report.add(0, "not a PNG file", path)
            continue
        course.images.append(path.name)


# -- quiz.yaml -----------------------------------------------------------------------------


def _check_options(report, q: LDict, where: str, langs, single: bool) -> list[dict]:
    raw = q.get("options")
    if not isinstance(raw, list):
        report.add(q.line_of("options"), f"{where}: 'options' must be a list")
        return []
    options = []
    seen = set()
    for index, opt in enumerate(raw):
        if not isinstance(opt, LDict):
            report.add(raw.line_of(index), f"{where}: each option must be a mapping")
            continue
        _check_keys(
            report,
            opt,
            {"id": True, "text": True, "correct": True, "feedback": True},
            f"{where} option",
        )
        oid = _check_id(report, opt, "id", f"{where} option", ITEM_ID_RE)
        if oid in seen:
            report.add(opt.line_of("id"), f"{where}: option id {oid!r} used twice")
        seen.add(oid)
        if not isinstance(opt.get("correct"), bool):
            report.add(opt.line_of("correct"), f"{where}: option 'correct' must be true or false")
        text = _check_map(report, opt, "text", langs, f"{where} option {oid}")
        feedback = _check_map(report, opt, "feedback", langs, f"{where} option {oid}")
        options.append(
            {"id": oid, "text": text, "correct": opt.get("correct") is True, "feedback": feedback}
        )
    correct = sum(1 for o in options if o["correct"])
    if len(raw) < 3:
        report.add(q.line_of("options"), f"{where}: at least three options")
    if single and correct != 1:
        report.add(q.line_of("options"), f"{where}: exactly one correct option, found {correct}")
    if not single and correct < 1:
        report.add(q.line_of("options"), f"{where}: at least one correct option")
    return options


def _check_list(report, q: LDict, key: str, where: str, spec: dict, low: int, high: int):
    raw = q.get(key)
    if not isinstance(raw, list):
        report.add(q.line_of(key), f"{where}: {key!r} must be a list")
        return None
    if not low <= len(raw) <= high:
        report.add(q.line_of(key), f"{where}: {low} to {high} {key}, found {len(raw)}")
    seen = set()
    for index, item in enumerate(raw):
        if not isinstance(item, LDict):
            report.add(raw.line_of(index), f"{where}: each entry of {key!r} must be a mapping")
            return None
        _check_keys(report, item, spec, f"{where} {key}")
        iid = _check_id(report, item, "id", f"{where} {key}", ITEM_ID_RE)
        if iid in seen:
            report.add(item.line_of("id"), f"{where}: id {iid!r} used twice")
        seen.add(iid)
    return raw


def _check_question(report: _Report, q: LDict, langs: list[str], lessons: set[str]) -> dict | None:
    qtype = q.get("type")
    qid = q.get("id")
    where = f"question {qid}"
    if qtype not in QUESTION_TYPES:
        report.add(
            q.line_of("type"), f"{where}: type {qtype!r} is not one of {', '.join(QUESTION_TYPES)}"
        )
        return None
    common = {"id": True, "type": True, "lesson": False, "prompt": True}
    extra = {
        "single": {"options": True},
        "multiple": {"options": True},
        "scenario": {"situation": True, "options": True},
        "truefalse": {"answer": True, "feedback_true": True, "feedback_false": True},
        "ordering": {"items": True},
        "matching": {"pairs": True},
    }[qtype]
    _check_keys(report, q, {**common, **extra}, where)
    lesson = q.get("lesson")
    if lesson is not None and lesson not in lessons:
        report.add(q.line_of("lesson"), f"{where}: lesson {lesson!r} is not a lesson of the course")
    out: dict = {"id": qid, "type": qtype, "lesson": lesson, "line": q.line}
    out["prompt"] = _check_map(report, q, "prompt", langs, where)
    if qtype in ("single", "multiple", "scenario"):
        out["options"] = _check_options(report, q, where, langs, single=qtype != "multiple")
        if qtype == "scenario":
            out["situation"] = _check_map(report, q, "situation", langs, where)
    elif qtype == "truefalse":
        if not isinstance(q.get("answer"), bool):
            report.add(q.line_of("answer"), f"{where}: 'answer' must be true or false")
        out["answer"] = q.get("answer") is True
        out["feedback_true"] = _check_map(report, q, "feedback_true", langs, where)
        out["feedback_false"] = _check_map(report, q, "feedback_false", langs, where)
    elif qtype == "ordering":
        raw = _check_list(
            report, q, "items", where, {"id": True, "text": True, "feedback": True}, 3, 7
        )
        out["items"] = [
            {
                "id": item.get("id"),
                "text": _check_map(report, item, "text", langs, f"{where} item {item.get('id')}"),
                "feedback": _check_map(
                    report, item, "feedback", langs, f"{where} item {item.get('id')}"
                ),
            }
            for item in raw or []
        ]
    elif qtype == "matching":
        spec = {"id": True, "left": True, "right": True, "feedback": True}
        raw = _check_list(report, q, "pairs", where, spec, 3, 6)
        pairs = []
        for item in raw or []:
            pw = f"{where} pair {item.get('id')}"
            pairs.append(
                {
                    "id": item.get("id"),
                    "left": _check_map(report, item, "left", langs, pw),
                    "right": _check_map(report, item, "right", langs, pw),
                    "feedback": _check_map(report, item, "feedback", langs, pw),
                }
            )
        for side in ("left", "right"):
            for lang in langs:
                texts = [p[side].get(lang) for p in pairs if p[side].get(lang)]
                if len(texts) != len(set(texts)):
                    report.add(
                        q.line_of("pairs"), f"{where}: the {side} texts in {lang!r} must differ"
                    )
        out["pairs"] = pairs
    return out


def _check_quiz(report: _Report, course: Course) -> None:
    path = course.folder / "quiz.yaml"
    if not path.exists():
        if course.completion != "Completed":
            report.add(0, f"missing: completion {course.completion!r} needs a final quiz", path)
        return
    data = _read_yaml(report, path)
    if data is None:
        return
    quiz_report = _Report(path, report.root)
    _check_keys(quiz_report, data, QUIZ_KEYS, "quiz")
    pass_mark = data.get("pass_mark")
    if not _is_number(pass_mark) or not 0 < pass_mark <= 1:
        quiz_report.add(
            data.line_of("pass_mark"), "quiz: 'pass_mark' must be a number above 0, at most 1"
        )
    max_attempts = _positive_int(quiz_report, data, "max_attempts", "quiz")
    wait = _positive_int(quiz_report, data, "wait_minutes", "quiz", minimum=0)
    per_attempt = None
    if "questions_per_attempt" in data:
        per_attempt = _positive_int(quiz_report, data, "questions_per_attempt", "quiz")
    raw = data.get("questions")
    questions = []
    if not isinstance(raw, list) or not raw:
        quiz_report.add(data.line_of("questions"), "quiz: 'questions' must be a non-empty list")
        raw = []
    seen: set[str] = set()
    lesson_ids = {lesson.id for lesson in course.lessons}
    for index, q in enumerate(raw):
        if not isinstance(q, LDict):
            quiz_report.add(raw.line_of(index), "quiz: each question must be a mapping")
            continue
        qid = _check_id(quiz_report, q, "id", "question", ITEM_ID_RE)
        if qid in seen:
            quiz_report.add(q.line_of("id"), f"question {qid}: id used twice")
        seen.add(qid)
        question = _check_question(quiz_report, q, course.languages, lesson_ids)
        if question and qid:
            questions.append(question)
    if per_attempt and len(raw) < per_attempt:
        quiz_report.add(
            data.line_of("questions_per_attempt"),
            f"quiz: {len(raw)} questions, fewer than questions_per_attempt ({per_attempt})",
        )
    report.problems.extend(quiz_report.problems)
    if not quiz_report.problems:
        course.quiz = {
            "pass_mark": float(pass_mark),
            "max_attempts": max_attempts,
            "wait_minutes": wait,
            "questions_per_attempt": per_attempt or len(questions),
            "questions": questions,
        }


# -- entry points --------------------------------------------------------------------------


def load_course(folder: Path, root: Path | None = None) -> tuple[Course | None, list[Problem]]:
    """Read and check one course folder; return the course (None when unusable) and the problems."""
    folder = Path(folder)
    root = Path(root) if root else folder.parent
    report = _Report(folder / "course.yaml", root)
    if not folder.is_dir():
        report.add(0, "no such course folder", folder)
        return None, report.problems
    data = _read_yaml(report, folder / "course.yaml")
    if data is None:
        return None, report.problems
    course = _check_course_yaml(report, data, folder)
    if course is None:
        return None, report.problems
    _check_images(report, course)
    _check_lessons(report, course)
    _check_quiz(report, course)
    return course, report.problems


def course_folders(paths: list[Path] | None, default_root: Path) -> list[Path]:
    """The course folders named by ``paths`` (a course folder or a folder of courses)."""
    chosen = [Path(p) for p in paths] if paths else [Path(default_root)]
    folders: list[Path] = []
    for path in chosen:
        if (path / "course.yaml").exists() or not path.is_dir():
            folders.append(path)
        else:
            folders.extend(sorted(p for p in path.iterdir() if (p / "course.yaml").exists()))
    return folders


def load_courses(
    paths: list[Path] | None, default_root: Path, known_ids: set[str] | frozenset = frozenset()
) -> list[tuple[Path, Course | None, list[Problem]]]:
    """Load every course named by ``paths``; prerequisites must be among them or ``known_ids``."""
    results = []
    for folder in course_folders(paths, default_root):
        course, problems = load_course(folder, root=Path(default_root).parent)
        results.append((folder, course, problems))
    ids = {c.id for _, c, _ in results if c} | set(known_ids)
    for folder, course, problems in results:
        if course is None:
            continue
        for prereq in course.prerequisites:
            if prereq not in ids:
                shown = _Report(folder / "course.yaml", Path(default_root).parent).shown()
                problems.append(Problem(shown, 0, f"course: unknown prerequisite {prereq!r}"))
    return results
