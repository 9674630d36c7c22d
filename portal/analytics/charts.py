"""The geometry of the console's bar charts, drawn as SVG on the server (admin/_bar_chart.html):
no script, and the same numbers in a table beside each chart for screen readers and text browsers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 600
HEIGHT = 200
ROW_HEIGHT = 40
LABEL_HEIGHT = 20  # above each row's bar, for its name and value
GAP = 0.2  # of each bar's slot, left empty between bars


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    key: Any  # what the bar stands for (a day, a carrier and country)
    value: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    peak: Bar | None  # the tallest bar (the first of equals), None when every value is 0


def columns(items: Sequence[tuple[Any, float]], width: int = WIDTH, height: int = HEIGHT) -> Chart:
    """One column per item, left to right, heights to scale (a series over days)."""
    top = max((value for _, value in items), default=0) or 1
    slot = width / max(len(items), 1)
    bars = [Bar(round(i * slot + slot * GAP / 2, 2), round(height - value / top * height, 2),
                round(slot * (1 - GAP), 2), round(value / top * height, 2), key, value)
            for i, (key, value) in enumerate(items)]
    return Chart(width, height, bars, _peak(bars))


def rows(items: Sequence[tuple[Any, float]]) -> Chart:
    """One row per item, top to bottom, each under its label (a value per carrier). Drawn without a
    viewBox, so labels keep their size on a phone and a wide screen alike: y and heights are CSS
    pixels, x and lengths per cent of the chart's width."""
    top = max((value for _, value in items), default=0) or 1
    bar_height = ROW_HEIGHT - LABEL_HEIGHT
    bars = [Bar(0, i * ROW_HEIGHT + LABEL_HEIGHT, round(value / top * 100, 2), round(bar_height * (1 - GAP), 2),
                key, value)
            for i, (key, value) in enumerate(items)]
    return Chart(100, max(len(items), 1) * ROW_HEIGHT, bars, _peak(bars))


def _peak(bars: list[Bar]) -> Bar | None:
    peak = max(bars, key=lambda bar: bar.value, default=None)
    return peak if peak is not None and peak.value > 0 else None
