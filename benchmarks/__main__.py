"""Run every benchmark module and print one JSON object per metric line.

Usage: ``python -m benchmarks [name ...]`` — names select modules (``transport`` runs
``bench_transport``); none runs them all. A module that raises, or returns a line with an
``"error"`` key, prints such a line and makes the exit status non-zero once all have run.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
import traceback
from collections.abc import Sequence
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


def run_module(module_name: str) -> tuple[list[dict[str, object]], bool]:
    """Import and run one module; returns its lines and whether everything went well."""
    try:
        module = importlib.import_module(module_name)
        lines = list(module.run())
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        return [{"metric": module_name, "error": f"{type(exc).__name__}: {exc}"}], False
    ok = all(isinstance(line, dict) and "error" not in line for line in lines)
    return lines, ok


def main(argv: Sequence[str] | None = None) -> int:
    failed = False
    for module_name in discover(sys.argv[1:] if argv is None else argv):
        lines, ok = run_module(module_name)
        failed = failed or not ok
        for line in lines:
            print(json.dumps(line), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
