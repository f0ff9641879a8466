"""Charts as SVG: pure functions of plain values, shared by the measure pages and the reports.

No database, no templates, no JavaScript: the same input gives the same bytes, so a published
report can store a chart in its snapshot and a test can compare it. Every label is escaped, and
the markup uses presentation attributes (``fill``, ``stroke``), never ``style=``: the CSP forbids
inline styles, and an SVG shown through ``<img>`` cannot see the page's stylesheet anyway. The
classes (``app-chart``…) are hooks for ``static/css/app.css`` when the SVG is inlined.

The API (the reports feature calls it too: keep these names and signatures)::

    Series(name: str, points: Sequence[tuple[str, Decimal | None]])
        One line, or one set of bars: (label, value) pairs in order. A value of None means
        "not available": a gap in the line or a missing bar, never a zero.

    line_chart(series: list[Series], *, title: str, unit: str, decimals: int,
               y_label: str = "") -> Chart
        The x axis is the points' labels (periods), in order of first appearance across the
        series. More than one series gets a legend and a dash pattern per line, so the lines
        differ by more than colour.

    bar_chart(categories: list[str], series: list[Series], *, title: str, unit: str,
              decimals: int) -> Chart
        Grouped bars from a zero baseline: one group per category (e.g. districts), one bar per
        series (e.g. this year and last). A series' points are looked up by category label; a
        category a series lacks is a missing bar, a label not in ``categories`` is an error.

    Chart.svg               SafeString: <svg role="img" viewBox=…> with <title> and <desc>
    Chart.text_alternative  one paragraph a screen reader reads: use it as <img alt="…">
    Chart.title             the title as given
    Chart.headers           column headings of the data table: ("Period" | "Category", *names)
    Chart.rows              the data, formatted by measures.presenters.format_value, one tuple
                            per period or category ("not available" for None)

``unit`` is a :class:`measures.presenters.Unit` value ("count", "percentage"…) and ``decimals``
the measure's decimal places; axis ticks are formatted by ``format_value`` too.
"""

from __future__ import annotations

import decimal
import hashlib
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from measures.presenters import format_value

__all__ = ["Chart", "Series", "bar_chart", "line_chart"]

# Geometry, in SVG user units. Text is 16 units high so that it stays readable when the image
# is scaled down to a half-width column.
WIDTH = 640
PLOT_HEIGHT = 260
FONT_SIZE = 16
CHAR_WIDTH = 9.0  # a generous average for Arial at 16: used to keep labels apart and inside
TOP = 16
LEGEND_ROW = 24
TICK_TARGET = 5  # about this many gridlines
LIST_ALL_UP_TO = 12  # a text alternative lists every point up to this many, then summarises
MARKERS_UP_TO = 24  # a line gets a dot per point up to this many (isolated points always)

# GOV.UK colours, each at least 3:1 against white (WCAG 1.4.11), and dash patterns so that
# lines never differ by colour alone.
COLOURS = ("#1d70b8", "#4c2c92", "#00703c", "#505a5f", "#912b88", "#0b0c0c")
DASHES = ("", "10 5", "3 4", "12 4 3 4")
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
FONT = "Arial, sans-serif"

# Our own context, so that a caller's decimal.getcontext() cannot change the output.
_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[str, Decimal | None]]


@dataclass(frozen=True)
class Chart:
    svg: SafeString
    text_alternative: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


# Public functions -----------------------------------------------------------------------------


def line_chart(
    series: list[Series], *, title: str, unit: str, decimals: int, y_label: str = ""
) -> Chart:
    """A line per series over the points' labels; None makes a gap. See the module docstring."""
    labels = _labels_in_order(series)
    table = _table(series, labels)
    scale = _Scale.for_values([v for row in table for v in row if v is not None], unit=unit)
    frame = _Frame(scale, series_count=len(series), y_label=y_label)

    count = len(labels)

    def x_at(index: int) -> float:
        if count == 1:
            return frame.left + frame.plot_width / 2
        return frame.left + frame.plot_width * index / (count - 1)

    parts = frame.grid()
    parts += frame.x_labels([(x_at(i), label) for i, label in enumerate(labels)])
    for number, one in enumerate(series):
        colour, dash = _colour(number), DASHES[number % len(DASHES)]
        values = [row[number] for row in table]
        runs = _runs(values)
        for run in runs:
            if len(run) > 1:
                path = " ".join(
                    f"{'M' if i == run[0] else 'L'}{_n(x_at(i))} {_n(frame.y(values[i]))}"
                    for i in run
                )
                dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(
                    f'<path class="app-chart__line" d="{path}" fill="none" stroke="{colour}" '
                    f'stroke-width="3" stroke-linejoin="round" stroke-linecap="round"'
                    f"{dash_attribute}/>"
                )
        for run in runs:
            if count <= MARKERS_UP_TO or len(run) == 1:
                for i in run:
                    parts.append(
                        f'<circle class="app-chart__point" cx="{_n(x_at(i))}" '
                        f'cy="{_n(frame.y(values[i]))}" r="4.5" fill="{colour}"/>'
                    )
    if len(series) > 1:
        parts += frame.legend([one.name for one in series], kind="line")

    text = _text_alternative(
        "Line chart", title, series, labels, table, unit, decimals, trend=True
    )
    return _chart(title, text, frame, parts, "Period", series, labels, table, unit, decimals)


def bar_chart(
    categories: list[str], series: list[Series], *, title: str, unit: str, decimals: int
) -> Chart:
    """Grouped bars from zero: a group per category, a bar per series. See the module docstring."""
    categories = list(categories)
    known = set(categories)
    for one in series:
        for label, _ in one.points:
            if label not in known:
                raise ValueError(f"Series “{one.name}” has a point for “{label}”, not a category")
    table = _table(series, categories)
    scale = _Scale.for_values([v for row in table for v in row if v is not None], unit=unit)
    frame = _Frame(scale, series_count=len(series), y_label="")

    group_width = frame.plot_width / max(len(categories), 1)
    bar_width = group_width * 0.8 / max(len(series), 1)
    parts = frame.grid()
    centres = [frame.left + group_width * (i + 0.5) for i in range(len(categories))]
    parts += frame.x_labels(list(zip(centres, categories, strict=True)))
    baseline = frame.y(Decimal(0))
    for i, row in enumerate(table):
        group_left = frame.left + group_width * i + group_width * 0.1
        for number, value in enumerate(row):
            if value is None:
                continue  # not available: no bar, and the table and text say so
            top = frame.y(value)
            parts.append(
                f'<rect class="app-chart__bar" x="{_n(group_left + bar_width * number)}" '
                f'y="{_n(min(top, baseline))}" width="{_n(bar_width)}" '
                f'height="{_n(abs(baseline - top))}" fill="{_colour(number)}"/>'
            )
    if len(series) > 1:
        parts += frame.legend([one.name for one in series], kind="bar")

    text = _text_alternative(
        "Bar chart", title, series, categories, table, unit, decimals, trend=False
    )
    return _chart(title, text, frame, parts, "Category", series, categories, table, unit, decimals)


# Scale and frame ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    low: Decimal
    high: Decimal
    step: Decimal
    unit: str

    @classmethod
    def for_values(cls, values: list[Decimal], *, unit: str) -> _Scale:
        """Round gridlines (1, 2 or 5 × 10ⁿ) from zero, or below zero when a value is negative.

        Starting at zero keeps a fall of 10% looking like 10%, not like a collapse.
        """
        c = _CONTEXT
        low = min([Decimal(0), *values])
        high = max([Decimal(0), *values])
        if low == high:
            high = c.add(low, Decimal(1))
        raw = c.divide(c.subtract(high, low), Decimal(TICK_TARGET))
        magnitude = Decimal(1).scaleb(raw.adjusted())
        step = next(
            c.multiply(magnitude, Decimal(m))
            for m in (1, 2, 5, 10)
            if c.multiply(magnitude, Decimal(m)) >= raw
        )
        low = c.multiply(c.divide_int(low, step) - (1 if c.remainder(low, step) < 0 else 0), step)
        high_steps = c.divide_int(high, step) + (1 if c.remainder(high, step) > 0 else 0)
        return cls(low=low, high=c.multiply(high_steps, step), step=step, unit=unit)

    @property
    def ticks(self) -> list[Decimal]:
        count = int(_CONTEXT.divide_int(_CONTEXT.subtract(self.high, self.low), self.step))
        return [_CONTEXT.add(self.low, _CONTEXT.multiply(self.step, i)) for i in range(count + 1)]

    def tick_label(self, tick: Decimal) -> str:
        places = max(0, -self.step.normalize(_CONTEXT).as_tuple().exponent)
        return format_value(tick, unit=self.unit, decimals=places)


class _Frame:
    """Margins sized from the labels, and the axis pieces every chart shares."""

    def __init__(self, scale: _Scale, *, series_count: int, y_label: str):
        self.scale = scale
        self.y_label = y_label
        widest = max(len(scale.tick_label(tick)) for tick in scale.ticks)
        self.left = round(widest * CHAR_WIDTH + 16)
        self.right = 16
        self.top = TOP + (FONT_SIZE + 12 if y_label else 0) + FONT_SIZE // 2
        self.plot_width = WIDTH - self.left - self.right
        self.plot_bottom = self.top + PLOT_HEIGHT
        legend_rows = series_count if series_count > 1 else 0
        self.height = self.plot_bottom + FONT_SIZE * 2 + 16 + legend_rows * LEGEND_ROW

    def y(self, value: Decimal) -> float:
        span = float(self.scale.high - self.scale.low)
        return self.top + PLOT_HEIGHT * float(self.scale.high - value) / span

    def grid(self) -> list[str]:
        parts = []
        if self.y_label:
            parts.append(
                f'<text class="app-chart__axis-label" x="0" y="{TOP + FONT_SIZE}" '
                f'fill="{TEXT}">{_escape(self.y_label)}</text>'
            )
        for tick in self.scale.ticks:
            y = _n(self.y(tick))
            colour = TEXT if tick == 0 else GRID
            parts.append(
                f'<line class="app-chart__grid" x1="{self.left}" x2="{WIDTH - self.right}" '
                f'y1="{y}" y2="{y}" stroke="{colour}" stroke-width="1"/>'
            )
            label = _escape(self.scale.tick_label(tick))
            parts.append(
                f'<text class="app-chart__tick" x="{self.left - 8}" y="{y}" text-anchor="end" '
                f'dominant-baseline="middle" fill="{TEXT}">{label}</text>'
            )
        return parts

    def x_labels(self, positioned: list[tuple[float, str]]) -> list[str]:
        """Labels under the plot, thinned so they never overlap, kept inside the picture."""
        if not positioned:
            return []
        widest = max(len(label) for _, label in positioned) * CHAR_WIDTH
        fits = max(1, int(self.plot_width // (widest + 16)))
        every = math.ceil(len(positioned) / fits)
        chosen = list(range(0, len(positioned), every))
        last = len(positioned) - 1
        if chosen[-1] != last:
            if last - chosen[-1] < every and len(chosen) > 1:
                chosen[-1] = last  # show the latest period rather than one just before it
            else:
                chosen.append(last)
        parts = []
        y = self.plot_bottom + FONT_SIZE + 8
        for index in chosen:
            x, label = positioned[index]
            half = len(label) * CHAR_WIDTH / 2
            x = min(max(x, half + 2), WIDTH - half - 2)
            parts.append(
                f'<text class="app-chart__tick" x="{_n(x)}" y="{y}" text-anchor="middle" '
                f'fill="{TEXT}">{_escape(label)}</text>'
            )
        return parts

    def legend(self, names: list[str], *, kind: str) -> list[str]:
        parts = []
        top = self.plot_bottom + FONT_SIZE * 2 + 16
        for number, name in enumerate(names):
            y = top + number * LEGEND_ROW
            colour, dash = _colour(number), DASHES[number % len(DASHES)]
            if kind == "line":
                dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
                parts.append(
                    f'<line x1="{self.left}" x2="{self.left + 36}" y1="{y}" y2="{y}" '
                    f'stroke="{colour}" stroke-width="3"{dash_attribute}/>'
                )
            else:
                parts.append(
                    f'<rect x="{self.left + 10}" y="{y - 8}" width="16" height="16" '
                    f'fill="{colour}"/>'
                )
            parts.append(
                f'<text class="app-chart__legend" x="{self.left + 46}" y="{y}" '
                f'dominant-baseline="middle" fill="{TEXT}">{_escape(name)}</text>'
            )
        return parts


# Text, table and markup -----------------------------------------------------------------------


def _text_alternative(kind, title, series, labels, table, unit, decimals, *, trend) -> str:
    """What the chart shows, in words: every point when there are few, else a summary.

    A line chart also says which way each line went from its first figure to its last.
    """
    if not labels:
        return f"{kind}: {title}. There are no figures to show."

    def text(value):
        return format_value(value, unit=unit, decimals=decimals)

    sentences = [f"{kind}: {title}."]
    for number, one in enumerate(series):
        points = [(label, row[number]) for label, row in zip(labels, table, strict=True)]
        present = [(label, value) for label, value in points if value is not None]
        prefix = f"{one.name}: " if len(series) > 1 else ""
        if len(points) <= LIST_ALL_UP_TO:
            listed = "; ".join(f"{label}: {text(value)}" for label, value in points)
            sentences.append(f"{prefix}{listed}.")
        elif present:
            (high_label, high), (low_label, low) = (
                max(present, key=lambda point: point[1]), min(present, key=lambda point: point[1])
            )
            sentences.append(
                f"{prefix}{len(points)} figures from {labels[0]} to {labels[-1]}; "
                f"highest {text(high)} ({high_label}), lowest {text(low)} ({low_label})."
            )
            missing = len(points) - len(present)
            if missing:
                sentences.append(
                    f"{missing} {'figure is' if missing == 1 else 'figures are'} not available."
                )
        else:
            sentences.append(f"{prefix}no figures are available.")
        if trend and len(present) >= 2:
            (first_label, first), (last_label, last) = present[0], present[-1]
            if text(first) == text(last):  # as printed: "up from 13.5% to 13.5%" would read wrong
                sentences.append(f"The same in {first_label} and {last_label}: {text(first)}.")
            else:
                moved = "Up" if last > first else "Down"
                sentences.append(
                    f"{moved} from {text(first)} in {first_label} to {text(last)} in {last_label}."
                )
    return " ".join(sentences)


def _chart(title, text, frame, parts, heading, series, labels, table, unit, decimals) -> Chart:
    identity = hashlib.sha256(
        "\x1f".join([title, text, *labels, *(one.name for one in series)]).encode()
    ).hexdigest()[:10]
    title_id, desc_id = f"chart-{identity}-title", f"chart-{identity}-desc"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {frame.height}" width="{WIDTH}" height="{frame.height}" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="{FONT}" font-size="{FONT_SIZE}">'
        f'<title id="{title_id}">{_escape(title)}</title>'
        f'<desc id="{desc_id}">{_escape(text)}</desc>'
        + "".join(parts)
        + "</svg>"
    )
    rows = tuple(
        (label, *(format_value(value, unit=unit, decimals=decimals) for value in row))
        for label, row in zip(labels, table, strict=True)
    )
    return Chart(
        svg=mark_safe(svg),  # every label above went through _escape
        text_alternative=text,
        title=title,
        headers=(heading, *(one.name for one in series)),
        rows=rows,
    )


def _labels_in_order(series: list[Series]) -> list[str]:
    seen: dict[str, None] = {}
    for one in series:
        for label, _ in one.points:
            seen.setdefault(label, None)
    return list(seen)


def _table(series: list[Series], labels: list[str]) -> list[list[Decimal | None]]:
    """One row per label, one column per series; a label a series lacks is None (a gap)."""
    lookups = [dict(one.points) for one in series]
    return [[lookup.get(label) for lookup in lookups] for label in labels]


def _runs(values: list[Decimal | None]) -> list[list[int]]:
    """Indexes of consecutive available values: each run is drawn as one unbroken line."""
    runs: list[list[int]] = []
    current: list[int] = []
    for index, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(index)
    if current:
        runs.append(current)
    return runs


def _colour(number: int) -> str:
    return COLOURS[number % len(COLOURS)]


def _escape(text: str) -> str:
    return html.escape(str(text), quote=True)


def _n(number: float) -> str:
    """A coordinate with one decimal place; fixed formatting keeps the bytes deterministic."""
    text = f"{number:.1f}"
    return "0.0" if text == "-0.0" else text

