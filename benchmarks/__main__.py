"""Run every benchmark module and print one JSON object per metric line.

Usage: ``python -m benchmarks [--tiny] [--at INSTANT] [name ...]`` — names select modules
(``transport`` runs ``bench_transport``); none runs them all. ``--tiny`` runs each in its tiny
configuration (seconds; the figures mean nothing), ``--at 2026-03-29T00:30:00.123456+00:00``
starts each benchmark's clock at that instant instead of now.

The exit status is non-zero only when a benchmark crashed: the module raised (an ``error`` line
names it, and the others still run) or reported a part that crashed with an ``error`` line. A
missed goal is a figure, not a failure.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def discover(selected: Sequence[str] = ()) -> list[str]:
    """Module names ``benchmarks.bench_*``, sorted; ``selected`` filters by suffix."""
    names = sorted(
        info.name for info in pkgutil.iter_modules([str(PACKAGE_DIR)]) if info.name.startswith("bench_")
    )
    if selected:
        wanted = {s.removeprefix("bench_") for s in selected}
        unknown = wanted - {n.removeprefix("bench_") for n in names}
        if unknown:
            raise SystemExit(f"no such benchmark: {', '.join(sorted(unknown))} (have: {', '.join(names)})")
        names = [n for n in names if n.removeprefix("bench_") in wanted]
    return [f"benchmarks.{n}" for n in names]


def run_module(
    module_name: str, *, tiny: bool = False, start: datetime | None = None
) -> tuple[list[dict[str, object]], bool]:
    """Import and run one module; returns its lines and whether it ran without crashing."""
    try:
        module = importlib.import_module(module_name)
        lines = list(module.run(tiny=tiny, start=start))
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return [{"metric": module_name, "error": f"{type(exc).__name__}: {exc}"}], False
    ok = all(isinstance(line, dict) and "error" not in line for line in lines)
    if tiny:
        for line in lines:
            line["tiny"] = True  # nobody should mistake these figures for a measurement
    return lines, ok


def _instant(text: str) -> datetime:
    when = datetime.fromisoformat(text)
    if when.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r}: give a timezone, e.g. {text}+00:00")
    return when


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="a few members, one repetition: seconds")
    parser.add_argument("--at", type=_instant, default=None, help="start each benchmark's clock here")
    parser.add_argument("names", nargs="*", help="modules to run (default: all)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    failed = False
    for module_name in discover(args.names):
        lines, ok = run_module(module_name, tiny=args.tiny, start=args.at)
        failed = failed or not ok
        for line in lines:
            print(json.dumps(line), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
