"""The after-action review document."""

from __future__ import annotations

from simulations.cli import main
from simulations.report import aar_markdown, strengths_and_gaps

BEST = {
    "posture": "presence",
    "humanitarian-liaison": "meet-share",
    "rumour-response": "report-pio",
    "crowd-response": "interpose",
    "casualty-report": "report-reinforce",
    "prefect-response": "refer-due-process",
}


def test_review_of_a_good_run(poc, play):
    state, _ = play(poc, BEST)
    good, weak = strengths_and_gaps(state, 0.7)
    assert "poc" in good and "mandate" in good and not weak
    text = aar_markdown(state, "en", 0.7)
    assert text.startswith("# After-action review: Tamba camp")
    assert "**Outcome: Civilians protected**" in text
    assert "): passed" in text
    assert "Chosen: Deploy 1st Platoon" in text
    assert "Doctrine: Protection of civilians starts with presence" in text


def test_review_lists_missed_decisions_and_gaps_in_arabic(poc, play):
    state, _ = play(poc, {"posture": "fortify-base"})
    good, weak = strengths_and_gaps(state, 0.7)
    assert weak and weak[0] in ("mandate", "poc", "roe", "safety", "reporting")
    text = aar_markdown(state, "ar", 0.7)
    assert "لم يُتخذ قرار في الوقت المحدد" in text
    assert "ما يجب تحسينه" in text and "تعرّض المخيم للهجوم" in text


def test_cli_writes_the_review(tmp_path, capsys):
    report = tmp_path / "aar.md"
    code = main(
        [
            "play",
            "convoy-ied",
            "--headless",
            "--autoplay",
            "--lang",
            "fr",
            "--seed",
            "2",
            "--report",
            str(report),
        ]
    )
    assert code == 0
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Revue après action")
    assert "## Chronologie" in text and f"Review: {report}" in capsys.readouterr().out
