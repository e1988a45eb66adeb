"""The launch protocol: join code, launch file, one-time token fetch, launch data."""

from __future__ import annotations

import json
import urllib.parse

import pytest
import requests
from sim_fakes import TOKEN, FakePortal

from simulations.launch import (
    LaunchError,
    join_code,
    launch,
    parse_launch_url,
    read_launch_file,
    session_from_launch,
)


@pytest.fixture
def portal():
    server = FakePortal().start()
    yield server
    server.stop()


def test_join_then_launch_reads_launch_data(portal):
    url = portal.new_launch(scenario="poc-camp", lang="ar", seed=99, mastery=0.8)
    portal.join_codes["ABC-123"] = url
    http = requests.Session()
    assert portal.server.server_address[0] == "127.0.0.1"
    assert join_code(http, "abc-123", portal.base) == url
    params, token, data = launch(http, url)
    assert token == TOKEN
    assert params.endpoint == f"{portal.base}/xapi/"
    assert params.activity_id.endswith("/xapi/activities/exercise/poc-camp")
    assert data.scenario == "poc-camp" and data.lang == "ar" and data.seed == 99
    assert data.mastery_score == 0.8 and data.move_on == "CompletedAndPassed"
    assert data.teams[0]["members"][0]["role"] == "company-commander"
    session = session_from_launch(params, token, data, "ar")
    assert session.auth == f"Basic {TOKEN}"
    assert session.session_id == "0b7c3e1e-9d5c-4a0a-8f35-1c2d3e4f5a6b"
    assert not portal.bad_headers


def test_second_fetch_is_refused_clearly(portal):
    url = portal.new_launch()
    http = requests.Session()
    launch(http, url)
    with pytest.raises(LaunchError) as info:
        launch(http, url)
    message = str(info.value)
    assert "already been used" in message and "cmi5 error 1" in message


def test_unknown_join_code_and_bad_codes(portal):
    http = requests.Session()
    with pytest.raises(LaunchError, match="unknown or expired join code"):
        join_code(http, "ZZZ-999", portal.base)
    with pytest.raises(LaunchError, match="not a join code"):
        join_code(http, "../../admin", portal.base)
    with pytest.raises(LaunchError, match="not an http"):
        join_code(http, "ABC-123", "ftp://example")


def test_unreachable_portal_is_reported(portal):
    base = portal.base
    portal.stop()
    with pytest.raises(LaunchError, match="cannot reach the portal"):
        join_code(requests.Session(), "ABC-123", base)


def test_launch_url_must_be_complete():
    with pytest.raises(LaunchError, match="missing: fetch, actor"):
        parse_launch_url(
            "http://127.0.0.1/x?endpoint=http://127.0.0.1/xapi/&registration=r"
            "&activityId=http://127.0.0.1/a"
        )
    query = urllib.parse.urlencode(
        {
            "endpoint": "http://127.0.0.1/xapi",
            "fetch": "http://127.0.0.1/f",
            "actor": "{not json",
            "registration": "r",
            "activityId": "http://127.0.0.1/a",
        }
    )
    with pytest.raises(LaunchError, match="unreadable actor"):
        parse_launch_url(f"http://127.0.0.1/x?{query}")


def test_launch_file(tmp_path):
    path = tmp_path / "exercise.json"
    path.write_text(
        json.dumps({"launch_url": "http://127.0.0.1/l?x=1", "portal": "http://127.0.0.1"}),
        encoding="utf-8",
    )
    assert read_launch_file(path) == ("http://127.0.0.1/l?x=1", "http://127.0.0.1")
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(LaunchError, match="no launch_url"):
        read_launch_file(path)
    with pytest.raises(LaunchError, match="not found"):
        read_launch_file(tmp_path / "missing.json")


def test_language_from_learner_preferences_when_launch_has_none(portal):
    url = portal.new_launch(lang=None)
    portal.preferences = {"languagePreference": "ar-EG, fr-FR"}
    _, _, data = launch(requests.Session(), url)
    assert data.lang is None and data.preferred_languages == ["ar", "fr"]


def test_launch_command_uses_preferences(portal, capsys, tmp_path):
    from simulations.cli import main

    portal.preferences = {"languagePreference": "es-ES,fr-FR"}  # no Spanish text: French
    url = portal.new_launch(scenario="disinfo-gate", lang=None, seed=5)
    argv = ["launch", url, "--headless", "--autoplay", "--data-dir", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Scenario: disinfo-gate" in out and "Language: fr; seed: 5" in out
    assert "0 waiting" in out
    assert main(["launch", "http://127.0.0.1/x?endpoint=1"]) == 2
    assert "launch link is incomplete" in capsys.readouterr().err
