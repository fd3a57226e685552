"""The admin's usage picture: credits per member per day as bars, drawn on the server.

The page gets plain SVG shapes (no script, no chart library, nothing from a CDN), computed here
so the template only places them. Each day is a column of bars stacked by member; under the
axis two rows mark the day's failed runs and refused creates with their counts, so a day with
trouble shows even when it spent nothing.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from app.team.usage import DayUsage

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP = 60, 8, 12
PLOT_BOTTOM = 190  # the x axis; below it the day labels and the two marker rows
FAILED_ROW, REFUSED_ROW, LABEL_ROW = 208, 226, 250
PALETTE = ("#4f6bed", "#e07b39", "#2a9d8f", "#b5179e", "#8ab17d", "#e9c46a", "#6d597a", "#577590")


@dataclass(frozen=True)
class UsageRow:
    """A member's day as the admin's table shows it: spend, runs and the refused creates."""

    day: str
    member: str
    credits: int
    tasks: int
    failures: int
    refused: int


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    color: str
    member: str
    day: str
    credits: int


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    count: int
    day: str


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    failed: list[Mark] = field(default_factory=list)
    refused: list[Mark] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)  # (x, "12-07")
    ticks: list[tuple[float, int]] = field(default_factory=list)  # (y, credits)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (member, color)
    left: int = LEFT
    right: int = WIDTH - RIGHT
    axis_y: int = PLOT_BOTTOM
    rows: tuple[int, int, int] = (FAILED_ROW, REFUSED_ROW, LABEL_ROW)


def usage_rows(days: list[DayUsage], refusals: dict[tuple[str, str], int]) -> list[UsageRow]:
    """Charges and refusals per member and day, newest day first; a day with refusals alone
    (nothing ran) has its row too."""
    rows = {
        (row.member, row.day): UsageRow(
            row.day, row.member, row.credits, row.tasks, row.failures, 0
        )
        for row in days
    }
    for (member, day), count in refusals.items():
        found = rows.get((member, day)) or UsageRow(day, member, 0, 0, 0, 0)
        rows[(member, day)] = UsageRow(
            day, member, found.credits, found.tasks, found.failures, count
        )
    ordered = sorted(rows.values(), key=lambda row: row.member)
    ordered.sort(key=lambda row: row.day, reverse=True)  # stable: names stay in order
    return ordered


def _scale_top(highest: int) -> int:
    """A round top for the y axis: 1, 2 or 5 times a power of ten, at least the highest."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= highest:
                return step * factor
        step *= 10


def draw(rows: list[UsageRow], last_day: date, days: int) -> Chart:
    """The chart of the `days` days up to `last_day` (UTC)."""
    chart = Chart()
    span = [(last_day - timedelta(days=days - 1 - i)).isoformat() for i in range(days)]
    members = sorted({row.member for row in rows})
    colors = {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(members)}
    chart.legend = [(m, colors[m]) for m in members]
    by_day: dict[str, list[UsageRow]] = {}
    for row in rows:
        by_day.setdefault(row.day, []).append(row)
    top = _scale_top(max([sum(r.credits for r in by_day.get(d, [])) for d in span] + [1]))
    height = PLOT_BOTTOM - TOP
    chart.ticks = [(PLOT_BOTTOM - height * f, int(top * f)) for f in (0, 0.5, 1)]
    slot = (chart.right - LEFT) / days
    for index, day in enumerate(span):
        x = LEFT + index * slot
        _column(chart, sorted(by_day.get(day, []), key=lambda r: r.member), x, slot, top, colors)
        if index % 5 == (days - 1) % 5:
            chart.labels.append((x + slot / 2, day[5:]))
    return chart


def _column(
    chart: Chart, rows: list[UsageRow], x: float, slot: float, top: int, colors: dict[str, str]
) -> None:
    """One day's stacked bars and its failure and refusal marks."""
    base, scale = float(PLOT_BOTTOM), (PLOT_BOTTOM - TOP) / top
    middle, day = x + slot / 2, rows[0].day if rows else ""
    for row in rows:
        if row.credits > 0:
            size = max(1.0, row.credits * scale)
            base -= size
            color = colors[row.member]
            left, width = x + slot * 0.15, slot * 0.7
            chart.bars.append(Bar(left, base, width, size, color, row.member, row.day, row.credits))
    failed = sum(row.failures for row in rows)
    refused = sum(row.refused for row in rows)
    if failed:
        chart.failed.append(Mark(middle, FAILED_ROW, failed, day))
    if refused:
        chart.refused.append(Mark(middle, REFUSED_ROW, refused, day))
