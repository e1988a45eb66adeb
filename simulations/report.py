"""The after-action review as a Markdown document (for the hot wash and the improvement plan).

Built from the exercise state alone, so it works the same after an interactive or automatic
run, and never needs pygame.
"""

from __future__ import annotations

from simulations.engine import DIMENSION_NAMES, DIMENSIONS, State, scorecard, tr
from simulations.engine.state import clock_text

LABELS = {
    "title": {
        "en": "After-action review",
        "fr": "Revue après action",
        "ar": "مراجعة ما بعد التمرين",
    },
    "ending": {"en": "Outcome", "fr": "Issue", "ar": "النتيجة"},
    "score": {"en": "Score", "fr": "Score", "ar": "الدرجة"},
    "pass_mark": {"en": "pass mark", "fr": "seuil de réussite", "ar": "حد النجاح"},
    "passed": {"en": "passed", "fr": "réussi", "ar": "ناجح"},
    "failed": {"en": "not passed", "fr": "non réussi", "ar": "غير ناجح"},
    "went_well": {
        "en": "What went well",
        "fr": "Ce qui a bien fonctionné",
        "ar": "ما سار على نحو جيد",
    },
    "to_improve": {"en": "What to improve", "fr": "Ce qui est à améliorer", "ar": "ما يجب تحسينه"},
    "timeline": {"en": "Timeline", "fr": "Chronologie", "ar": "التسلسل الزمني"},
    "chosen": {"en": "Chosen", "fr": "Choix", "ar": "الخيار"},
    "missed": {
        "en": "No decision in time",
        "fr": "Pas de décision à temps",
        "ar": "لم يُتخذ قرار في الوقت المحدد",
    },
    "doctrine": {"en": "Doctrine", "fr": "Doctrine", "ar": "العقيدة"},
    "note": {"en": "Observer note", "fr": "Note d'observation", "ar": "ملاحظة المراقب"},
    "none": {"en": "nothing to report", "fr": "rien à signaler", "ar": "لا شيء"},
}


def _l(key: str, lang: str) -> str:
    return tr(LABELS[key], lang)


def strengths_and_gaps(state: State, mastery: float) -> tuple[list[str], list[str]]:
    """Dimensions at or above the pass mark, and those below it (assessed ones only)."""
    card = scorecard(state)
    assessed = [d for d in DIMENSIONS if any(d in s.possible for s in card.decisions)]
    good = [d for d in assessed if card.by_dimension[d] >= mastery]
    weak = sorted(
        (d for d in assessed if card.by_dimension[d] < mastery), key=lambda d: card.by_dimension[d]
    )
    return good, weak


def aar_markdown(state: State, lang: str = "en", mastery: float | None = None) -> str:
    """The review of a finished (or stopped) exercise as Markdown, in ``lang``."""
    scenario = state.scenario
    mastery = scenario.mastery_score if mastery is None else mastery
    card = scorecard(state)
    colon = "\u00a0: " if lang == "fr" else ": "
    out = [f"# {_l('title', lang)}{colon}{tr(scenario.title, lang)}", ""]
    if state.ending:
        ending = scenario.ending(state.ending)
        out += [
            f"**{_l('ending', lang)}{colon}{tr(ending.title, lang)}**",
            "",
            tr(ending.text, lang),
            "",
        ]
    verdict = _l("passed" if card.overall >= mastery else "failed", lang)
    out += [
        f"**{_l('score', lang)}{colon}{round(card.overall * 100)}%** "
        f"({_l('pass_mark', lang)} {round(mastery * 100)}%){colon}{verdict}",
        "",
    ]
    for dim in DIMENSIONS:
        if any(dim in s.possible for s in card.decisions):
            out.append(
                f"- {tr(DIMENSION_NAMES[dim], lang)}{colon}{round(card.by_dimension[dim] * 100)}%"
            )
    good, weak = strengths_and_gaps(state, mastery)
    none = _l("none", lang)
    out += ["", f"## {_l('went_well', lang)}", ""]
    out += [f"- {tr(DIMENSION_NAMES[d], lang)}" for d in good] or [f"- {none}"]
    out += ["", f"## {_l('to_improve', lang)}", ""]
    out += [f"- {tr(DIMENSION_NAMES[d], lang)}" for d in weak] or [f"- {none}"]
    out += ["", f"## {_l('timeline', lang)}", ""]
    for event in state.log:
        when = clock_text(scenario.start_time, event.t)
        if event.kind == "inject_released":
            inject = scenario.inject(event.data["inject"])
            out.append(f"- **{when}** {tr(inject.title, lang)}")
        elif event.kind in ("decision_made", "decision_missed"):
            point = scenario.decision(event.data["decision"])
            team = tr(scenario.team(point.team).name, lang)
            role = tr(scenario.role(point.role).name, lang)
            sep = "، " if lang == "ar" else ", "
            out.append(
                f"- **{when}** {team}{sep}{role}{colon}{tr(point.prompt, lang)} "
                f"({round(event.data['scaled'] * 100)}%)"
            )
            if event.kind == "decision_missed":
                best = max(point.options, key=lambda o: sum(o.scores.values()))
                out.append(f"  - {_l('missed', lang)}")
                out.append(f"  - {_l('doctrine', lang)}{colon}{tr(best.explanation, lang)}")
            else:
                option = point.option(event.data["option"])
                out.append(f"  - {_l('chosen', lang)}{colon}{tr(option.label, lang)}")
                out.append(f"  - {_l('doctrine', lang)}{colon}{tr(option.explanation, lang)}")
        elif event.kind == "note_added":
            out.append(f"- **{when}** {_l('note', lang)}{colon}{event.data['text']}")
    return "\n".join(out) + "\n"
