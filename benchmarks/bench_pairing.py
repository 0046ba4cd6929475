"""Pairing benchmark: one round for 500 opted-in members.

- ``pairing_500_ms``: :func:`bot.pairs.pairing.make_pairs` for 500 members with 52 weeks of history
  (one random perfect pairing per week, as a stand-in for past rounds) and 200 avoid entries;
  median of several runs with different seeds. Baseline: a naive greedy matcher (first fit in
  member order, skipping only forbidden pairs) on the same input in the same run.
- ``repeat_rate`` / ``baseline_repeat_rate``: the share of within-group member pairs that have
  been grouped before, for ours and for the baseline. Forbidden pairs are checked for both; a
  violation is a bug, so the benchmark raises.

A round is a pure function of its input: there is no clock to set (``start`` is accepted and
unused). Tiny: 20 members, 4 weeks, 5 avoid entries, 2 runs.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from typing import Any

from benchmarks import result
from bot.pairs.pairing import Constraints, Group, PastRound, is_forbidden, make_pairs, repeat_count

INPUT_SEED = 20250101


@dataclass(frozen=True)
class Sizes:
    members: int = 500
    weeks: int = 52
    avoids: int = 200
    runs: int = 7


TINY = Sizes(members=20, weeks=4, avoids=5, runs=2)


def build_input(
    seed: int = INPUT_SEED, sizes: Sizes = Sizes()
) -> tuple[list[int], list[PastRound], Constraints]:
    """500 Discord-sized ids, 52 weekly random pairings, 200 random avoid rows (by default)."""
    rng = random.Random(seed)
    members = [10**17 + rng.randrange(10**17) for _ in range(sizes.members)]
    history = []
    for _ in range(sizes.weeks):
        order = members[:]
        rng.shuffle(order)
        history.append(PastRound(tuple((order[i], order[i + 1]) for i in range(0, sizes.members - 1, 2))))
    avoid: set[tuple[int, int]] = set()
    while len(avoid) < sizes.avoids:
        a, b = rng.sample(members, 2)
        avoid.add((a, b))
    return members, history, Constraints(avoid=sorted(avoid))


def naive_greedy(members: Sequence[int], constraints: Constraints) -> list[Group]:
    """First fit: each free member takes the next free member they are allowed with."""
    forbidden = {frozenset(p) for p in (*constraints.avoid, *constraints.separate)}
    free = list(members)
    groups: list[Group] = []
    while len(free) >= 2:
        first = free.pop(0)
        for i, other in enumerate(free):
            if frozenset((first, other)) not in forbidden:
                groups.append((first, free.pop(i)))
                break
    if free and groups:
        groups[-1] = (*groups[-1], free[0])  # an odd one out joins the last pair
    return groups


def repeat_rate(groups: Sequence[Group], history: Sequence[PastRound]) -> float:
    """Repeated within-group pairs over all within-group pairs."""
    links = sum(len(g) * (len(g) - 1) // 2 for g in groups)
    return repeat_count(groups, history) / links if links else 0.0


def _median_ms(fn: Any, runs: int) -> tuple[float, Any]:
    times = []
    out = None
    for i in range(runs):
        start = time.perf_counter()
        out = fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), out


def run(*, tiny: bool = False, start: datetime | None = None) -> list[dict[str, Any]]:
    sizes = TINY if tiny else Sizes()
    members, history, constraints = build_input(sizes=sizes)
    ours_ms, ours = _median_ms(lambda i: make_pairs(members, history, constraints, seed=i), sizes.runs)
    base_ms, base = _median_ms(lambda _i: naive_greedy(members, constraints), sizes.runs)

    for name, groups in (("ours", ours.groups), ("the naive baseline", base)):
        bad = [g for g in groups for a, b in combinations(g, 2) if is_forbidden(a, b, constraints)]
        if bad:
            raise RuntimeError(f"{name}: {len(bad)} groups hold a forbidden pair")

    line = result("pairing_500_ms", ours_ms, "ms", base_ms)
    line["members"] = len(members)
    line["repeat_rate"] = round(repeat_rate(ours.groups, history), 4)
    line["baseline_repeat_rate"] = round(repeat_rate(base, history), 4)
    line["unplaced"] = len(ours.unplaced)
    return [line]


if __name__ == "__main__":
    import json

    for row in run():
        print(json.dumps(row))
