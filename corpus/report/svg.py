"""Small inline SVG charts (bar chart, histogram), drawn by our own code: no plotting library.

Every chart is a self-contained ``<svg>`` with a ``viewBox`` so it scales to its container,
a ``<title>`` and an ``aria-label`` for screen readers, and all text escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

W, H = 480, 220  # viewBox size; the CSS scales the chart to the column width
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 40  # plot margins inside the viewBox


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _frame(title: str, body: list[str], desc: str) -> str:
    t = escape(title)
    return (
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{escape(desc)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{t}</title>'
        f'<text class="ct" x="{LEFT}" y="16">{t}</text>' + "".join(body) + "</svg>"
    )


def _y_axis(top: int) -> list[str]:
    """Axis line and a few gridlines labelled with counts from 0 to ``top``."""
    out = []
    ph = H - TOP - BOTTOM
    ticks = sorted({0, top // 2, top}) if top else [0]
    for v in ticks:
        y = H - BOTTOM - (ph * v / top if top else 0)
        out.append(f'<line class="grid" x1="{LEFT}" x2="{W - RIGHT}" y1="{_num(y)}" '
                   f'y2="{_num(y)}"/><text class="tick" x="{LEFT - 6}" y="{_num(y + 4)}" '
                   f'text-anchor="end">{v}</text>')
    return out


def bar_chart(items: Sequence[tuple[str, int]], title: str) -> str:
    """Return an SVG bar chart of labelled counts, in the order given."""
    top = max((n for _, n in items), default=0)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    body = _y_axis(top)
    slot = pw / max(1, len(items))
    for i, (label, n) in enumerate(items):
        h = ph * n / top if top else 0
        x = LEFT + i * slot + slot * 0.15
        body.append(
            f'<rect class="bar" x="{_num(x)}" y="{_num(H - BOTTOM - h)}" '
            f'width="{_num(slot * 0.7)}" height="{_num(h)}">'
            f"<title>{escape(label)}: {n}</title></rect>"
            f'<text class="tick" x="{_num(x + slot * 0.35)}" y="{H - BOTTOM + 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    desc = f"{title}: " + ", ".join(f"{label} {n}" for label, n in items)
    return _frame(title, body, desc)


def histogram_chart(
    counts: Sequence[int], lo: float, hi: float, title: str, xlabel: str,
    *, marker: float | None = None, marker_label: str = "",
) -> str:
    """Return an SVG histogram of ``counts`` over equal bins spanning [lo, hi].

    ``marker`` draws a vertical line at that x value (the low-score threshold, say).
    """
    top = max(counts, default=0)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    body = _y_axis(top)
    bw = pw / max(1, len(counts))
    step = (hi - lo) / max(1, len(counts))
    for i, n in enumerate(counts):
        h = ph * n / top if top else 0
        a, b = lo + i * step, lo + (i + 1) * step
        body.append(
            f'<rect class="bar" x="{_num(LEFT + i * bw)}" y="{_num(H - BOTTOM - h)}" '
            f'width="{_num(max(bw - 1, 0.5))}" height="{_num(h)}">'
            f'<title>{a:.2f}–{b:.2f}: {n}</title></rect>'
        )
    for v in (lo, (lo + hi) / 2, hi):
        x = LEFT + pw * (v - lo) / (hi - lo)
        body.append(f'<text class="tick" x="{_num(x)}" y="{H - BOTTOM + 14}" '
                    f'text-anchor="middle">{_num(v) if abs(v) >= 1 or v == 0 else f"{v:.2f}"}'
                    "</text>")
    body.append(f'<text class="tick" x="{LEFT + pw / 2:.0f}" y="{H - 6}" '
                f'text-anchor="middle">{escape(xlabel)}</text>')
    if marker is not None and lo <= marker <= hi:
        x = LEFT + pw * (marker - lo) / (hi - lo)
        body.append(f'<line class="marker" x1="{_num(x)}" x2="{_num(x)}" y1="{TOP}" '
                    f'y2="{H - BOTTOM}"/><text class="tick mk" x="{_num(x + 3)}" y="{TOP + 10}">'
                    f"{escape(marker_label)}</text>")
    desc = f"{title}: {sum(counts)} values from {lo:g} to {hi:g} in {len(counts)} bins"
    return _frame(title, body, desc)
