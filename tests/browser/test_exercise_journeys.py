"""Exercise controller journey in a real browser: create a run without JavaScript help."""

import re

import pytest

from tests.browser.conftest import follow, login

pytestmark = pytest.mark.browser


def test_controller_creates_a_run_and_sees_the_join_code(live_server, page, artifacts):
    login(page, live_server, "controller", "carana-control-2026")
    follow(page, page.get_by_role("link", name="Exercises").first)
    follow(page, page.get_by_role("link", name="New exercise run"))
    rotation = page.locator("#rotation option", has_text="Nepalese infantry battalion").first
    page.select_option("#rotation", rotation.get_attribute("value"))
    page.select_option("#scenario", "convoy-ied")
    follow(page, page.get_by_role("button", name="Next: teams"))
    team_selects = page.locator("fieldset.team select[name$='-0-person']")
    teams = team_selects.count()
    assert teams >= 2
    for index in range(teams):
        select = team_selects.nth(index)
        value = select.locator("option").nth(index + 1).get_attribute("value")
        select.select_option(value)
    follow(page, page.get_by_role("button", name="Create the run"))
    assert re.search(r"/exercises/runs/", page.url)
    code = page.locator("#join-code").inner_text()
    assert re.fullmatch(r"[A-HJ-NP-Z]{3}-\d{3}", code)
    assert page.locator("#play-status").inner_text() == "Waiting for the app"
    # The portal runs on this computer: the "Launch here" button is offered.
    assert page.get_by_role("button", name="Launch here").is_visible()
    rows = page.locator("table.people tbody tr")
    assert rows.count() == teams
    page.screenshot(path=str(artifacts / "exercise-run.png"), full_page=True)

    response = page.request.get(f"{live_server}/exercises/join/{code}")
    assert response.status == 200
    assert response.json()["launch_url"].startswith(f"{live_server}/exercises/launch?")
