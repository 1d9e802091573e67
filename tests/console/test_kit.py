"""The kit's pieces on their own: formatting, the form-error bridge, charts, and the stylesheet's
contrast (WCAG AA) in light and dark mode."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel, Field

from perks.console.pages import pages
from perks.errors import Conflict, NotFound, invalid
from perks.ui import formatting
from perks.ui.charts import Chart, Series
from perks.ui.forms import FormErrors, attempt, parse

STYLESHEET = Path(__file__).parents[2] / "src/perks/ui/static/css/app.css"
MOMENT = datetime(2026, 3, 1, 13, 30, 15, tzinfo=UTC)


def test_money_points_and_numbers_read_as_people_write_them() -> None:
    assert formatting.money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert formatting.money("12", "eur") == "€12.00"
    assert formatting.money(Decimal("1200"), "JPY") == "¥1,200"
    assert formatting.money(None) == "—"
    assert formatting.points(1234567) == "1,234,567"
    assert formatting.points(Decimal("12.5"), places=2) == "12.50"


def test_times_in_the_viewers_zone_and_relative_times() -> None:
    assert formatting.date_time(MOMENT, "UTC") == "Mar 1, 2026, 1:30:15\u202fPM"
    assert formatting.date_time(MOMENT, "Asia/Tokyo") == "Mar 1, 2026, 10:30:15\u202fPM"
    assert formatting.date_time(MOMENT, "No/Such_Zone") == formatting.date_time(MOMENT, "UTC")
    assert formatting.date_only(MOMENT, "Pacific/Kiritimati") == "Mar 2, 2026"
    assert formatting.relative(MOMENT - timedelta(hours=3), now=MOMENT) == "3 hours ago"
    assert formatting.relative(MOMENT + timedelta(days=2), now=MOMENT) == "in 2 days"
    assert formatting.relative(MOMENT - timedelta(seconds=5), now=MOMENT) == "just now"


class Sample(BaseModel):
    name: str = Field(min_length=1, max_length=5)
    count: int = 0


async def test_the_bridge_puts_schema_and_service_errors_under_their_fields() -> None:
    async def fails_with(error: Exception) -> None:
        raise error

    schema = await attempt(lambda: fails_with_schema({"name": "too long", "count": "many"}))
    assert isinstance(schema, FormErrors) and schema.status == 400
    assert schema.fields == {
        "name": "String should have at most 5 characters.",
        "count": "Input should be a valid integer, unable to parse string as an integer.",
    }
    assert schema.summary == "Please correct the fields marked below."
    missing = await attempt(lambda: fails_with_schema({"name": "  "}))
    assert isinstance(missing, FormErrors) and missing.fields == {"name": "This field is required."}
    service = await attempt(lambda: fails_with(invalid("brand_id", "no brand with this id in your account")))
    assert isinstance(service, FormErrors) and service.fields == {
        "brand_id": "No brand with this id in your account"
    }
    conflict = await attempt(lambda: fails_with(Conflict("A code with this name exists")))
    assert isinstance(conflict, FormErrors) and conflict.status == 409
    assert conflict.fields == {} and conflict.summary == "A code with this name exists"
    with pytest.raises(NotFound):  # not the form's to show: the page answers 404
        await attempt(lambda: fails_with(NotFound("Brand not found")))


async def fails_with_schema(values: dict[str, str]) -> Sample:
    return parse(Sample, values)


def test_a_chart_draws_its_numbers_and_offers_them_as_a_table_and_csv() -> None:
    chart = Chart(
        "Events", ["03-01", "03-02", "03-03"], [Series("Purchases", [3, 0, 7]), Series("Refunds", [1, 2, 0])]
    )
    bars = chart.bars()
    assert len(bars) == 6
    tallest = max(bars, key=lambda bar: bar.height)
    assert tallest.value == 7 and tallest.y == pytest.approx(12 + 180 * (1 - 7 / 8))  # the axis ends at 8
    assert [bar.height for bar in bars if bar.value == 0] == [0, 0]
    assert [tick.text for tick in chart.y_ticks()] == ["0", "2", "4", "6", "8"]
    assert chart.csv() == "label,Purchases,Refunds\n03-01,3,1\n03-02,0,2\n03-03,7,0\n"
    html = pages.env.from_string(
        '{% import "ui/macros/chart.html" as c %}{{ c.chart(chart, id="x", csv_href="?format=csv") }}'
    ).render(chart=chart)
    assert html.count("<rect") == 6 and "<table" in html and 'href="?format=csv"' in html
    assert "<title>03-03: 7</title>" in html and "style=" not in html
    with pytest.raises(ValueError, match="3 labels"):
        Chart("Bad", ["a", "b", "c"], [Series("s", [1])])


def _tokens(css: str) -> dict[str, str]:
    return dict(re.findall(r"--(color-[a-z0-9-]+):\s*(#[0-9a-f]{6})", css))


def _luminance(hex_color: str) -> float:
    channels = [int(hex_color[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4 for value in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# (text, background) pairs the stylesheet puts together.
PAIRS = [
    ("color-text", "color-bg"),
    ("color-text", "color-surface"),
    ("color-text", "color-surface-2"),
    ("color-muted", "color-bg"),
    ("color-muted", "color-surface"),
    ("color-muted", "color-surface-2"),
    ("color-link", "color-surface"),
    ("color-link", "color-bg"),
    ("color-on-primary", "color-primary"),
    ("color-on-primary", "color-primary-hover"),
    ("color-on-danger", "color-danger"),
    ("color-danger", "color-surface"),
    ("color-danger", "color-danger-soft"),
    ("color-success", "color-success-soft"),
    ("color-warning", "color-warning-soft"),
    ("color-nav-active-text", "color-nav-active"),
    ("color-text", "color-sidebar"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_and_background_pair_passes_wcag_aa(scheme: str) -> None:
    css = STYLESHEET.read_text()
    light_part, dark_part = css.split("@media (prefers-color-scheme: dark)", 1)
    tokens = _tokens(light_part) | (_tokens(dark_part) if scheme == "dark" else {})
    failing = {
        f"{text} on {background}": round(_contrast(tokens[text], tokens[background]), 2)
        for text, background in PAIRS
        if _contrast(tokens[text], tokens[background]) < 4.5
    }
    assert failing == {}


def test_the_show_macros_escape_what_they_show() -> None:
    template = pages.env.from_string(
        '{% import "ui/macros/show.html" as show with context %}'
        "{{ show.stat('Balance', value) }}{{ show.badge(value, 'danger') }}{{ show.moment(moment) }}"
        "{{ show.secret(value, 'key', 'Shown once') }}"
    )
    html = template.render(value="<b>1,200</b>", moment=MOMENT, tz="Asia/Tokyo")
    assert "<b>" not in html and html.count("&lt;b&gt;1,200&lt;/b&gt;") == 3
    assert f'<time datetime="{MOMENT.isoformat()}" title="Mar 1, 2026, 10:30:15\u202fPM">' in html
    assert 'data-copy="#key"' in html and '<div class="stat">' in html
