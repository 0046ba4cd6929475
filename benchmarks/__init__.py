"""``make bench``: every ``benchmarks/bench_*.py`` module exposes ``run() -> list[dict]``.

Each dict is one metric: ``{"metric", "value", "unit", "baseline", "ratio"}``; build it with
:func:`result`. ``python -m benchmarks`` runs them all and prints one JSON object per line.
"""

from __future__ import annotations

from typing import Any


def result(metric: str, value: float, unit: str, baseline: float | None = None) -> dict[str, Any]:
    """One metric line; ``ratio`` is ``value / baseline`` (None without a usable baseline)."""
    ratio = round(value / baseline, 3) if baseline else None
    return {
        "metric": metric,
        "value": round(value, 3),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": ratio,
    }
