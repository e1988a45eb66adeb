"""The SVG charts: accessible, escaped, and drawn from the data."""

from datetime import date, timedelta

from lms.readiness import charts


def test_line_chart_has_title_desc_and_one_point_per_day():
    series = [(date(2027, 1, 1) + timedelta(days=i), i / 10) for i in range(5)]
    svg = str(charts.line_chart(series, target=0.9, title="Trend <x>", desc="Ready & waiting"))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="t">Trend &lt;x&gt;</title>' in svg
    assert "Ready &amp; waiting" in svg
    points = svg.split('class="actual"')[0].rsplit('points="', 1)[1].split('"')[0].split()
    assert len(points) == 5
    assert 'class="target"' in svg


def test_line_chart_draws_projection_dashed():
    svg = str(
        charts.line_chart(
            [(date(2027, 1, 1), 0.5)],
            projection=[(date(2027, 1, 1), 0.5), (date(2027, 2, 1), 0.2)],
            title="t",
            desc="d",
        )
    )
    assert 'class="projection"' in svg


def test_bar_chart_widths_follow_shares():
    svg = str(
        charts.bar_chart([("Half", 0.5), ("All", 1.0), ("<script>", 0.0)], title="t", desc="d")
    )
    assert "&lt;script&gt;" in svg and "<script>" not in svg
    assert ">50%<" in svg and ">100%<" in svg and ">0%<" in svg


def test_empty_chart_is_still_valid_svg():
    assert str(charts.line_chart([], title="t", desc="d")).endswith("</svg>")
