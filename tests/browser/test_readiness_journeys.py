"""A trainer follows a rotation's readiness and waives a requirement."""

import re

import pytest

from tests.browser.conftest import follow, login

pytestmark = pytest.mark.browser


def _share(page) -> float:
    return float(re.sub(r"[^\d.]", "", page.locator("#share-ready").inner_text()))


def test_trainer_filters_dashboard_and_waives(live_server, page, artifacts):
    login(page, live_server, "trainer.npl", "carana-trainer-2026")
    follow(page, page.get_by_role("link", name="Readiness", exact=True).first)
    follow(page, page.locator("a[href*='/readiness/rotations/']").first)
    assert page.locator("svg.chart").first.is_visible()

    page.select_option("#subunit", label="Alpha Company")
    follow(page, page.get_by_role("button", name="Filter"))
    assert "subunit=" in page.url
    subunits = page.locator("table.readiness tbody tr td:nth-child(2)").all_inner_texts()
    assert subunits and set(subunits) == {"Alpha Company"}

    before = _share(page)
    # Waive the only missing requirement of someone who misses exactly one.
    rows = page.locator("table.readiness tbody tr")
    target = None
    for i in range(rows.count()):
        row = rows.nth(i)
        if row.locator("form.waive select").first.locator("option").count() == 1:
            target = row
            break
    assert target is not None, "nobody in Alpha Company misses exactly one requirement"
    target.locator("form.waive select[name=reason]").select_option("Administrative")
    follow(page, target.get_by_role("button", name="Waive"))
    assert "Waiver recorded" in page.content()
    after = _share(page)
    assert after > before
    page.screenshot(path=str(artifacts / "trainer-readiness-waiver.png"), full_page=True)
