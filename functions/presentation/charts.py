"""The report's charts as inline SVG: bars with their numbers, fills that print in black and white.

No script and no style attribute: the workspace page's Content-Security-Policy (web/headers.py)
admits them as they are, and so does a file mailed on its own (ops report). Every text drawn is
escaped here. The bars are laid out left to right in every language; the page sets the drawing
``dir="ltr"`` so that an Arabic page does not flip the labels' anchors onto the bars.
"""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from functions.presentation.report import Bar, Chart

WIDTH = 720
INK = "#0b0c0c"
BLUE = "#003399"


def _patterns(key: str) -> str:
    """The fills of one chart: print in black and white stays readable without colour."""
    return (
        "<defs>"
        f'<pattern id="{key}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#dbe3f4"/><line x1="0" y1="0" x2="0" y2="6" '
        f'stroke="{BLUE}" stroke-width="3"/></pattern>'
        f'<pattern id="{key}-cross" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="#ffffff"/><path d="M0 0L8 8M8 0L0 8" '
        f'stroke="{INK}" stroke-width="1.5"/></pattern>'
        f'<pattern id="{key}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.6" '
        f'fill="{INK}"/></pattern>'
        "</defs>"
    )


def _fill(key: str, bar: Bar) -> str:
    return BLUE if bar.pattern == "solid" else f"url(#{key}-{bar.pattern})"


def label_lines(label: str, width: int = 38, most: int = 2) -> list[str]:
    """A label cut into lines that fit beside the bars; the table under the chart has it whole."""
    lines = textwrap.wrap(label, width) or [""]
    if len(lines) > most:
        lines = [
            *lines[: most - 1],
            textwrap.shorten(" ".join(lines[most - 1 :]), width, placeholder=" ..."),
        ]
    return lines


def horizontal_svg(chart: Chart) -> str:
    """Horizontal bars, one per row: label (one or two lines), bar, value (right of the bar)."""
    label_width, value_width = 270, 90
    labels = [label_lines(bar.label) for bar in chart.bars]
    row_height = 16 + 14 * max((len(lines) for lines in labels), default=1)
    area = WIDTH - label_width - value_width
    top = max((bar.value for bar in chart.bars), default=0) or 1
    height = row_height * len(chart.bars) + 10
    parts = [_open_svg(chart, height), _patterns(chart.key)]
    for i, (bar, lines) in enumerate(zip(chart.bars, labels, strict=True)):
        y = 5 + i * row_height
        middle = y + row_height / 2
        length = area * bar.value / top
        first = middle + 4 - 7 * (len(lines) - 1)
        spans = "".join(
            f'<tspan x="{label_width - 8}" y="{first + 14 * n:.1f}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="end">{spans}</text>')
        if length > 0:
            parts.append(
                f'<rect x="{label_width}" y="{middle - 10:.1f}" width="{length:.1f}" height="20" '
                f'fill="{_fill(chart.key, bar)}" stroke="{INK}" stroke-width="1"/>'
            )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{middle + 4:.1f}" class="value">'
            f"{escape(bar.text)}</text>"
        )
    parts.append(
        f'<line x1="{label_width}" y1="2" x2="{label_width}" y2="{height - 2}" stroke="{INK}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def vertical_svg(chart: Chart) -> str:
    """Vertical bars (months): value above each bar, label under it."""
    height, base, top_margin = 240, 200, 24
    column = (WIDTH - 20) / max(len(chart.bars), 1)
    top = max((bar.value for bar in chart.bars), default=0) or 1
    parts = [_open_svg(chart, height), _patterns(chart.key)]
    for i, bar in enumerate(chart.bars):
        x = 10 + i * column
        length = (base - top_margin) * bar.value / top
        centre = x + column / 2
        if length > 0:
            parts.append(
                f'<rect x="{x + 8:.1f}" y="{base - length:.1f}" width="{column - 16:.1f}" '
                f'height="{length:.1f}" fill="{_fill(chart.key, bar)}" stroke="{INK}"/>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{base - length - 6:.1f}" text-anchor="middle" '
            f'class="value">{escape(bar.text)}</text>'
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{base + 20}" text-anchor="middle">'
            f"{escape(bar.label)}</text>"
        )
    parts.append(f'<line x1="10" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="{INK}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _open_svg(chart: Chart, height: int) -> str:
    title = escape(chart.title)
    # The title's id is the chart's key with a prefix of its own: a page holding the chart
    # also holds fields and sections (a "region" filter), whose ids must stay unique.
    title_id = quoteattr(f"chart-title-{chart.key}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby={title_id}>'
        f"<title id={title_id}>{title}</title>"
    )


def svg(chart: Chart) -> Markup:
    """The chart as inline SVG (every text in it escaped here)."""
    return Markup(vertical_svg(chart) if chart.vertical else horizontal_svg(chart))  # noqa: S704
