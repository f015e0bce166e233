"""Geometry of the server-drawn SVG charts (no JavaScript, no chart library): pure functions."""

from __future__ import annotations

import datetime as dt

from annotation.quality.report import ModelRow


def strengths(rows: list[ModelRow], width: int = 560, row_height: int = 28) -> dict[str, object]:
    """Coordinates for an SVG dot-and-whisker chart of Bradley-Terry strengths."""
    if not rows:
        return {"rows": [], "height": 0}
    low = min(r.low for r in rows) - 0.2
    high = max(r.high for r in rows) + 0.2
    left, right = 150, width - 20

    def x(value: float) -> float:
        return round(left + (value - low) / (high - low) * (right - left), 1)

    points = [
        {"model": r.model, "y": 20 + i * row_height, "x": x(r.strength), "x1": x(r.low), "x2": x(r.high)}
        for i, r in enumerate(rows)
    ]
    return {"rows": points, "height": 30 + len(rows) * row_height, "width": width, "zero": x(0.0), "left": left}


def per_day(counts: list[tuple[dt.date, int]]) -> list[dict[str, object]]:
    """Bars of judgments per day, the tallest 110 px high."""
    peak = max((n for _, n in counts), default=0) or 1
    bars: list[dict[str, object]] = []
    for i, (day, n) in enumerate(counts):
        height = round(110 * n / peak)
        bars.append({"day": day, "n": n, "height": height, "x": 10 + i * 34, "y": 130 - height})
    return bars
