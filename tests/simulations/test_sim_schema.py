"""Scenario schema: every problem is reported with file, line and field path."""

from __future__ import annotations

import pytest
import yaml

from simulations import SCENARIO_DIR
from simulations.engine import ScenarioError, load_file, load_text

SOURCE = (SCENARIO_DIR / "poc-camp.yaml").read_text(encoding="utf-8")


def _problems(text: str, file: str = "poc-camp.yaml"):
    with pytest.raises(ScenarioError) as info:
        load_text(text, file)
    return info.value.problems


def test_shipped_scenarios_load():
    for path in SCENARIO_DIR.glob("*.yaml"):
        scenario = load_file(path)
        assert scenario.id == path.stem


def test_missing_language_names_field_and_line():
    text = SOURCE.replace('  ar: "مخيم تامبا: حماية المدنيين النازحين"\n', "", 1)
    problems = _problems(text)
    assert [p.path for p in problems] == ["title.ar"]
    # the title mapping starts on the line of "title:"
    title_line = text.splitlines().index("title:") + 1
    assert problems[0].line == title_line
    assert "poc-camp.yaml:" in str(problems[0]) and "title.ar" in str(problems[0])


def test_every_problem_is_reported_with_its_path():
    data = yaml.safe_load(SOURCE)
    data["injects"][2]["kind"] = "pigeon"
    data["injects"][3]["when"] = {"released": "no-such-inject"}
    data["decisions"][0]["options"][0]["scores"]["mandate"] = 7
    data["decisions"][1]["team"] = "nobody"
    data["endings"][0]["when"] = {"var": {"name": "undeclared", "gte": 1}}
    data["map"]["places"][0]["pos"] = [500, 10]
    data["injects"][0]["colour"] = "red"
    problems = _problems(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    paths = {p.path for p in problems}
    assert {
        "injects[2].kind",
        "injects[3].when.released",
        "decisions[0].options[0].scores.mandate",
        "decisions[1].team",
        "endings[0].when.var.name",
        "map.places[0].pos",
        "injects[0].colour",
    } <= paths
    assert all(p.line for p in problems)


def test_duplicate_ids_and_references_to_options():
    data = yaml.safe_load(SOURCE)
    data["injects"][1]["id"] = data["injects"][0]["id"]
    data["injects"][8]["when"] = {"chosen": {"decision": "crowd-response", "option": "dance"}}
    problems = _problems(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    messages = {p.path: p.message for p in problems}
    assert "duplicate inject id" in messages["injects[1].id"]
    assert "option of decision" in messages["injects[8].when.chosen.option[0]"]


def test_id_must_match_file_name_and_yaml_errors_have_a_line():
    problems = _problems(SOURCE, "other-name.yaml")
    assert [p.path for p in problems] == ["id"]
    problems = _problems("id: x\ntitle: [unclosed\n", "broken.yaml")
    assert problems[0].line is not None and "not valid YAML" in problems[0].message


def test_undeclared_language_and_default_ending_rules():
    data = yaml.safe_load(SOURCE)
    data["title"]["de"] = "Lager Tamba"
    del data["endings"][1]["when"]
    data["endings"][2]["when"] = {"flag": "reported"}
    problems = _problems(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    paths = {p.path for p in problems}
    assert {"title.de", "endings[1].when", "endings[2]"} <= paths


def test_rule_parameters_are_checked():
    data = yaml.safe_load(SOURCE)
    data["injects"][1]["effects"] = [
        {"add": {"var": "presence", "value": 1}},  # boolean variable
        {"mark": {"place": "kessani", "marker": "balloon"}},
        {"chance": {"p": 2, "key": "x"}},
        {"teleport": {}},
    ]
    problems = _problems(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    paths = {p.path for p in problems}
    assert {
        "injects[1].effects[0].add.var",
        "injects[1].effects[1].mark.marker",
        "injects[1].effects[2].chance.p",
        "injects[1].effects[3]",
    } <= paths
