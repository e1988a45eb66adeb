"""Lesson Markdown becomes safe HTML: no raw HTML, no script links, images only from images/."""

from lms.catalog.render import render_lesson


def render(text: str) -> str:
    return str(render_lesson(text, {"map.svg"}, lambda name: f"/courses/c/images/{name}"))


def test_raw_html_is_shown_as_text():
    html = render("## Title\n\n<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert "<h2>Title</h2>" in html


def test_links_only_http_and_relative():
    html = render(
        "[a](javascript:alert(1)) [b](data:text/html,x) [c](https://example.org) [d](../x)"
    )
    assert 'href="javascript' not in html and 'href="data:' not in html
    assert 'href="https://example.org" rel="noopener noreferrer external"' in html
    assert 'href="../x"' in html


def test_images_only_from_the_course_folder():
    html = render(
        "![A map of the sector](images/map.svg)\n\n![Tracker](https://evil.example/p.png)"
    )
    assert '<img src="/courses/c/images/map.svg" alt="A map of the sector" loading="lazy"' in html
    assert "evil.example" not in html
    assert "Tracker" in html  # the description stays, as text
