"""Charts drawn on the server as inline SVG (no script, nothing to load), each with its numbers as a table
and as CSV. A page builds a Chart from one grouped query and hands it to the `chart` macro
(ui/macros/chart.html); its CSV route answers `csv_response(chart)`."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from fastapi.responses import Response

Number = Decimal | int

WIDTH = 720
HEIGHT = 220
PLOT_TOP = 12
PLOT_BOTTOM = 28  # room for the x labels
PLOT_LEFT = 48  # room for the y labels
PLOT_RIGHT = 8
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Number]


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # index of its series: its color
    label: str  # the category
    value: Number


@dataclass(frozen=True)
class Tick:
    position: float
    text: str


@dataclass(frozen=True)
class Chart:
    """Categories (usually days) along x, one or more series of numbers; drawn as grouped bars or lines."""

    title: str
    labels: Sequence[str]
    series: Sequence[Series]
    kind: str = "bar"  # or "line"
    description: str = ""

    def __post_init__(self) -> None:
        for one in self.series:
            if len(one.values) != len(self.labels):
                raise ValueError(
                    f"series {one.name!r} has {len(one.values)} values for {len(self.labels)} labels"
                )

    @property
    def width(self) -> int:
        return WIDTH

    @property
    def height(self) -> int:
        return HEIGHT

    @cached_property  # every bar's height is scaled by it: computed once, not once per bar
    def step(self) -> Decimal:
        """The y axis's tick spacing: 1, 2, 2.5 or 5 times a power of ten, about a quarter of the largest
        value (whole numbers only when every value is whole: no "1.5 events")."""
        values = [Decimal(str(value)) for one in self.series for value in one.values]
        whole = all(value == value.to_integral_value() for value in values)
        quarter = max([*values, Decimal(1)]) / 4
        magnitude = Decimal(10) ** quarter.adjusted()
        for multiple in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
            step = multiple * magnitude
            if step >= quarter and (not whole or step == step.to_integral_value()):
                return step
        raise AssertionError("unreachable: 10 x magnitude is always at least a quarter")

    @cached_property
    def top(self) -> Decimal:
        """The y axis's upper end: the largest value rounded up to a whole number of steps."""
        largest = max([Decimal(str(value)) for one in self.series for value in one.values] + [Decimal(1)])
        return self.step * math.ceil(largest / self.step)

    @property
    def is_empty(self) -> bool:
        return all(value == 0 for one in self.series for value in one.values)

    def _y(self, value: Number) -> float:
        plot = HEIGHT - PLOT_TOP - PLOT_BOTTOM
        return PLOT_TOP + plot - plot * float(value) / float(self.top)

    def _slot(self) -> float:
        return (WIDTH - PLOT_LEFT - PLOT_RIGHT) / max(len(self.labels), 1)

    def bars(self) -> list[Bar]:
        slot = self._slot()
        count = max(len(self.series), 1)
        width = slot * 0.8 / count
        bars = []
        for index, one in enumerate(self.series):
            for position, (label, value) in enumerate(zip(self.labels, one.values, strict=True)):
                x = PLOT_LEFT + position * slot + slot * 0.1 + index * width
                y = self._y(value)
                bars.append(
                    Bar(
                        round(x, 2),
                        round(y, 2),
                        round(width, 2),
                        round(self._y(0) - y, 2),
                        index,
                        label,
                        value,
                    )
                )
        return bars

    def lines(self) -> list[str]:
        """One SVG `points` attribute per series."""
        slot = self._slot()
        return [
            " ".join(
                f"{PLOT_LEFT + position * slot + slot / 2:.2f},{self._y(value):.2f}"
                for position, value in enumerate(one.values)
            )
            for one in self.series
        ]

    def y_ticks(self) -> list[Tick]:
        step = self.step
        count = int(self.top / step)
        return [
            Tick(round(self._y(step * index), 2), _tick_label(step * index)) for index in range(count + 1)
        ]

    def x_ticks(self) -> list[Tick]:
        slot = self._slot()
        every = max(1, -(-len(self.labels) // MAX_X_LABELS))
        return [
            Tick(round(PLOT_LEFT + position * slot + slot / 2, 2), label)
            for position, label in enumerate(self.labels)
            if position % every == 0
        ]

    @property
    def baseline(self) -> float:
        return self._y(0)

    @property
    def plot_left(self) -> int:
        return PLOT_LEFT

    @property
    def plot_right(self) -> int:
        return WIDTH - PLOT_RIGHT

    def rows(self) -> list[list[str | Number]]:
        """The table: one row per category, one column per series."""
        return [
            [label, *(one.values[position] for one in self.series)]
            for position, label in enumerate(self.labels)
        ]

    def header(self) -> list[str]:
        return ["", *(one.name for one in self.series)]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["label", *(one.name for one in self.series)])
        writer.writerows(self.rows())
        return out.getvalue()


def csv_response(chart: Chart, filename: str) -> Response:
    return Response(
        chart.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _tick_label(value: Number | float) -> str:
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():f}"
