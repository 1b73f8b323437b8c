"""Charts as inline SVG: no JavaScript, the same markup in the browser and in the PDF.

Each function returns ``Markup`` with ``role="img"``, a ``<title>`` and a text label on
every bar or point, so a chart reads without colour; the report puts a table with the
same numbers next to each chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from fn17.config import Lang
from fn17.i18n import fmt_number

FONT = "DejaVu Sans, sans-serif"
MUTED = "#4a5561"
LINE = "#d0d7de"
DASH_COLOURS = {"green": "#1a7f37", "yellow": "#9a6700", "orange": "#bc4c00", "red": "#b3261e"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    colour: str
    note: str = ""  # text after the value, e.g. a dashboard label
    previous: float | None = None  # drawn as a thin marker (last year's value)


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def bars(items: Sequence[Bar], title: str, *, maximum: float | None = None, lang: Lang = "nb", unit: str = "",
         label_width: int = 230, width: int = 640, missing_text: str = "–", decimals: int | None = 0) -> Markup:
    """Horizontal bars, one per item, with the value written beside each bar."""
    row_h, top, bottom = 22, 26, 22
    height = top + row_h * len(items) + bottom
    top_value = maximum if maximum is not None else max([i.value or 0 for i in items] + [i.previous or 0 for i in items] + [1])
    plot_w = width - label_width - 150
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" font-family="{FONT}" font-size="12" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<text x="0" y="15" font-size="13" font-weight="bold" fill="#1b1f24">{escape(_short(title, 90))}</text>']
    ticks = [0, 25, 50, 75, 100] if maximum == 100 else [0, top_value / 2, top_value]
    for tick in ticks:
        x = label_width + plot_w * (tick / top_value if top_value else 0)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - bottom + 2}" stroke="{LINE}" stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="{MUTED}" font-size="10">'
                     f"{escape(fmt_number(tick, lang, 0))}</text>")
    for n, item in enumerate(items):
        y = top + n * row_h
        parts.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" fill="#1b1f24">{escape(_short(item.label, 34))}</text>')
        if item.value is None:
            parts.append(f'<text x="{label_width + 4}" y="{y + 15}" fill="{MUTED}" font-style="italic">{escape(missing_text)}</text>')
            continue
        w = max(plot_w * min(item.value, top_value) / top_value, 1.5) if top_value else 1.5
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{w:.1f}" height="{row_h - 7}" fill="{escape(item.colour)}" rx="2"/>')
        if item.previous is not None:
            px = label_width + plot_w * min(item.previous, top_value) / top_value
            parts.append(f'<line x1="{px:.1f}" y1="{y + 1}" x2="{px:.1f}" y2="{y + row_h - 2}" stroke="#1b1f24" stroke-width="2" '
                         f'stroke-dasharray="3 2"/>')
        value = fmt_number(item.value, lang, decimals) + (f" {unit}" if unit else "")
        note = f" {item.note}" if item.note else ""
        parts.append(f'<text x="{label_width + w + 5:.1f}" y="{y + 15}" fill="#1b1f24">{escape(value + note)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class _Frame:
    """The plot area of a line chart: years ``x0``–``x1`` and values ``y0``–``y1`` (with ``pad``
    of headroom above and below the data) mapped to SVG coordinates inside the margins."""

    left: int
    right: int
    top: int
    bottom: int
    width: int
    height: int
    x0: int
    x1: int
    y0: float
    y1: float
    pad: float

    @classmethod
    def fit(cls, years: Sequence[int], values: Sequence[float], pad_share: float, *, left: int, right: int, top: int,
            bottom: int, width: int, height: int) -> _Frame:
        """The frame around ``years`` and ``values``; a single year or value is widened by one each way."""
        y0, y1 = min(values), max(values)
        if y0 == y1:
            y0, y1 = y0 - 1, y1 + 1
        pad = (y1 - y0) * pad_share
        x0, x1 = min(years), max(years)
        if x0 == x1:
            x0, x1 = x0 - 1, x1 + 1
        return cls(left, right, top, bottom, width, height, x0, x1, y0 - pad, y1 + pad, pad)

    def sx(self, year: float) -> float:
        return self.left + (self.width - self.left - self.right) * (year - self.x0) / (self.x1 - self.x0)

    def sy(self, value: float) -> float:
        return self.top + (self.height - self.top - self.bottom) * (1 - (value - self.y0) / (self.y1 - self.y0))


def series(points: Sequence[tuple[int, float]], title: str, *, target: float | None = None, target_year: int | None = None,
           lang: Lang = "nb", unit: str = "", width: int = 420, height: int = 170, target_label: str = "") -> Markup:
    """A small line chart of a yearly series, with the target (when given) as a dashed line to its year."""
    left, right, top, bottom = 52, 16, 26, 26
    years = [p[0] for p in points] + ([target_year] if target_year else [])
    values = [p[1] for p in points] + ([target] if target is not None else [])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" font-family="{FONT}" font-size="11" aria-label="{escape(title)}">',
             f"<title>{escape(title)}</title>",
             f'<text x="0" y="14" font-size="12" font-weight="bold" fill="#1b1f24">{escape(_short(title, 60))}</text>']
    if not points:
        parts.append(f'<text x="{left}" y="{height // 2}" fill="{MUTED}">–</text></svg>')
        return Markup("".join(parts))
    frame = _Frame.fit(years, values, 0.1, left=left, right=right, top=top, bottom=bottom, width=width, height=height)
    sx, sy, x0, x1 = frame.sx, frame.sy, frame.x0, frame.x1
    for v in (frame.y0 + frame.pad, frame.y1 - frame.pad):
        parts.append(f'<line x1="{left}" y1="{sy(v):.1f}" x2="{width - right}" y2="{sy(v):.1f}" stroke="{LINE}"/>')
        parts.append(f'<text x="{left - 4}" y="{sy(v) + 4:.1f}" text-anchor="end" fill="{MUTED}">{escape(fmt_number(v, lang))}</text>')
    for year in sorted({x0, x1, points[-1][0]}):
        parts.append(f'<text x="{sx(year):.1f}" y="{height - 8}" text-anchor="middle" fill="{MUTED}">{year}</text>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{sx(yr):.1f},{sy(v):.1f}" for i, (yr, v) in enumerate(points))
    parts.append(f'<path d="{path}" fill="none" stroke="#0b5cad" stroke-width="2"/>')
    for yr, v in points:
        parts.append(f'<circle cx="{sx(yr):.1f}" cy="{sy(v):.1f}" r="2.5" fill="#0b5cad"/>')
    last_year, last_value = points[-1]
    left_half = sx(last_year) < (left + width - right) / 2
    anchor, dx = ("start", 6) if left_half else ("end", -4)
    parts.append(f'<text x="{sx(last_year) + dx:.1f}" y="{sy(last_value) - 6:.1f}" text-anchor="{anchor}" fill="#0b5cad">'
                 f"{escape(fmt_number(last_value, lang) + (' ' + unit if unit else ''))}</text>")
    if target is not None and target_year is not None:
        parts.append(f'<line x1="{sx(last_year):.1f}" y1="{sy(last_value):.1f}" x2="{sx(target_year):.1f}" y2="{sy(target):.1f}" '
                     f'stroke="#1a7f37" stroke-width="2" stroke-dasharray="5 3"/>')
        parts.append(f'<circle cx="{sx(target_year):.1f}" cy="{sy(target):.1f}" r="4" fill="none" stroke="#1a7f37" stroke-width="2"/>')
        parts.append(f'<text x="{sx(target_year) - 6:.1f}" y="{sy(target) + (14 if sy(target) < top + 12 else -8):.1f}" text-anchor="end" '
                     f'fill="#1a7f37">{escape(target_label + " " + fmt_number(target, lang))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Line:
    label: str
    points: Sequence[tuple[int, float]]
    colour: str = "#0b5cad"
    dashed: bool = False


def lines(items: Sequence[Line], title: str, *, target: float | None = None, target_year: int | None = None,
          target_label: str = "", lang: Lang = "nb", width: int = 640, height: int = 260) -> Markup:
    """Several yearly series in one chart (the region, its peers' median, the country's median), with a
    legend in text and, when given, the target as a dashed green line to its year."""
    left, right, top, bottom = 56, 16, 26, 28 + 16 * len(items)
    drawn = [i for i in items if i.points]
    years = [p[0] for i in drawn for p in i.points] + ([target_year] if target_year else [])
    values = [p[1] for i in drawn for p in i.points] + ([target] if target is not None else [])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'font-family="{FONT}" font-size="11" aria-label="{escape(title)}">', f"<title>{escape(title)}</title>",
             f'<text x="0" y="14" font-size="12" font-weight="bold" fill="#1b1f24">{escape(_short(title, 90))}</text>']
    if not drawn:
        parts.append(f'<text x="{left}" y="{height // 2}" fill="{MUTED}">–</text></svg>')
        return Markup("".join(parts))
    frame = _Frame.fit(years, values, 0.08, left=left, right=right, top=top, bottom=bottom, width=width, height=height)
    sx, sy, x0, x1, pad = frame.sx, frame.sy, frame.x0, frame.x1, frame.pad
    plot_h = height - top - bottom
    for k in range(4):
        v = frame.y0 + pad + (frame.y1 - frame.y0 - 2 * pad) * k / 3
        parts.append(f'<line x1="{left}" y1="{sy(v):.1f}" x2="{width - right}" y2="{sy(v):.1f}" stroke="{LINE}"/>')
        parts.append(f'<text x="{left - 4}" y="{sy(v) + 4:.1f}" text-anchor="end" fill="{MUTED}">{escape(fmt_number(v, lang))}</text>')
    step = max(1, (x1 - x0) // 8)
    for year in range(x0, x1 + 1, step):
        parts.append(f'<text x="{sx(year):.1f}" y="{top + plot_h + 14:.1f}" text-anchor="middle" fill="{MUTED}">{year}</text>')
    for n, item in enumerate(drawn):
        pts = sorted(item.points)
        path = " ".join(f"{'M' if i == 0 else 'L'}{sx(yr):.1f},{sy(v):.1f}" for i, (yr, v) in enumerate(pts))
        dash = ' stroke-dasharray="6 3"' if item.dashed else ""
        parts.append(f'<path d="{path}" fill="none" stroke="{item.colour}" stroke-width="2"{dash}/>')
        for yr, v in pts:
            parts.append(f'<circle cx="{sx(yr):.1f}" cy="{sy(v):.1f}" r="2.5" fill="{item.colour}"/>')
        ly = top + plot_h + 30 + 16 * n
        parts.append(f'<line x1="{left}" y1="{ly - 4}" x2="{left + 24}" y2="{ly - 4}" stroke="{item.colour}" stroke-width="2"{dash}/>')
        parts.append(f'<text x="{left + 30}" y="{ly}" fill="#1b1f24">{escape(item.label)}</text>')
    if target is not None and target_year is not None:
        parts.append(f'<line x1="{left}" y1="{sy(target):.1f}" x2="{sx(target_year):.1f}" y2="{sy(target):.1f}" stroke="#1a7f37" '
                     f'stroke-width="1.5" stroke-dasharray="5 3"/>')
        parts.append(f'<circle cx="{sx(target_year):.1f}" cy="{sy(target):.1f}" r="4" fill="none" stroke="#1a7f37" stroke-width="2"/>')
        parts.append(f'<text x="{sx(target_year) - 6:.1f}" y="{sy(target) - 6:.1f}" text-anchor="end" fill="#1a7f37">'
                     f"{escape((target_label + ' ' + fmt_number(target, lang)).strip())}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def histogram(values: Sequence[float], title: str, *, marked: float | None = None, marked_label: str = "", bins: int = 20,
              lang: Lang = "nb", width: int = 640, height: int = 200) -> Markup:
    """The distribution of ``values`` as bars, with ``marked`` (one region's value) drawn as a labelled line."""
    left, right, top, bottom = 40, 16, 26, 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'font-family="{FONT}" font-size="11" aria-label="{escape(title)}">', f"<title>{escape(title)}</title>",
             f'<text x="0" y="14" font-size="12" font-weight="bold" fill="#1b1f24">{escape(_short(title, 90))}</text>']
    if not values:
        parts.append(f'<text x="{left}" y="{height // 2}" fill="{MUTED}">–</text></svg>')
        return Markup("".join(parts))
    lo, hi = min(values), max(values)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / (hi - lo) * bins))] += 1
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(counts)
    bar_w = plot_w / bins
    for i, n in enumerate(counts):
        h = plot_h * n / peak
        parts.append(f'<rect x="{left + i * bar_w + 1:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                     f'fill="#8fb3d9"><title>{escape(fmt_number(lo + i * (hi - lo) / bins, lang))}–'
                     f"{escape(fmt_number(lo + (i + 1) * (hi - lo) / bins, lang))}: {n}</title></rect>")
    parts.append(f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" fill="{MUTED}">{peak}</text>')
    for v, anchor in ((lo, "start"), (hi, "end")):
        tx = left if anchor == "start" else width - right
        parts.append(f'<text x="{tx}" y="{height - 10}" text-anchor="{anchor}" fill="{MUTED}">{escape(fmt_number(v, lang))}</text>')
    if marked is not None:
        x = left + plot_w * (marked - lo) / (hi - lo)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + plot_h}" stroke="#b3261e" stroke-width="2.5"/>')
        anchor = "start" if x < left + plot_w / 2 else "end"
        dx = 5 if anchor == "start" else -5
        parts.append(f'<text x="{x + dx:.1f}" y="{top + 6}" text-anchor="{anchor}" fill="#b3261e" font-weight="bold">'
                     f"▼ {escape(marked_label)} {escape(fmt_number(marked, lang))}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


__all__ = ["DASH_COLOURS", "Bar", "Line", "bars", "histogram", "lines", "series"]
