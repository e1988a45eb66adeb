"""Main journeys in a real browser."""

import re

import pytest

from tests.browser.conftest import follow, login

pytestmark = pytest.mark.browser


def test_trainer_opens_roster_and_switches_to_arabic(live_server, page, artifacts):
    login(page, live_server, "trainer.npl", "carana-trainer-2026")
    follow(page, page.get_by_role("link", name="Units").first)
    follow(page, page.get_by_role("link", name="Nepalese infantry battalion"))
    follow(page, page.locator("a[href*='/rotations/']").first)
    assert page.locator("h2#roster").is_visible()
    rows = page.locator("table.roster tbody tr")
    assert rows.count() > 5
    # Only Nepal's people: every service number in the roster is Nepal's.
    numbers = page.locator("table.roster tbody tr td:first-child").all_inner_texts()
    assert numbers and all(n.startswith("NP") for n in numbers)

    page.select_option("#lang-select", "ar")
    follow(page, page.locator("form.lang button"))
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl"
    assert html.get_attribute("lang") == "ar"
    # Mirrored layout: the language form sits on the left in a right-to-left page.
    brand = page.locator(".brand").bounding_box()
    lang_form = page.locator("form.lang").bounding_box()
    assert brand["x"] > lang_form["x"]
    assert re.search(r"/rotations/", page.url)
    page.screenshot(path=str(artifacts / "trainer-roster-ar.png"), full_page=True)
    assert (artifacts / "trainer-roster-ar.png").stat().st_size > 10_000


def test_keyboard_only_login(live_server, page):
    page.goto(f"{live_server}/login")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent || document.activeElement.name")
    assert focused
    page.focus("#username")
    page.keyboard.type("trainer.npl")
    page.keyboard.press("Tab")
    page.keyboard.type("carana-trainer-2026")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")
    assert "Asha Gurung" in page.content()


def test_small_phone_screen_has_no_horizontal_scroll(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2)
    page = context.new_page()
    login(page, live_server, "trainee", "carana-trainee-2026")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    context.close()
