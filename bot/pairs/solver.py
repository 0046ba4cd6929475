"""How the pair matcher searches: a cost model with strict tiers, an exact solver for a few
members, and a greedy start plus large-neighbourhood search for many. ``pairing`` explains the
tiers and is the way in; nothing here is meant to be called from outside the matcher.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from bot.pairs.pairing_types import (
    Constraints,
    Group,
    MemberId,
    PairingResult,
    PastRound,
    PinReason,
    UnmetPin,
    Unplaced,
    UnplacedReason,
)

# Cost tiers (the list in bot.pairs.pairing's docstring). Python ints are exact, so the tiers never blur.
_RECENCY = 1  # per meeting: 1000 // rounds_ago, so < 5,000 per pair for 52 rounds
_TRIO = 10**7  # per trio member: up to 1000 units, by how recently they were in a trio
_REPEAT = 10**11  # per repeated pair in a group
_PIN = 10**14  # bonus for an honoured pin
_UNPLACED = 10**17  # per member left out; doubled for someone who sat out last round
_FORBIDDEN: int | None = None

# The LNS sub-problem size: small enough that the exact solver takes about a millisecond.
_NEIGHBOURHOOD_MEMBERS = 10
_ATTEMPTS_PER_UNIT = 40


def pair_key(a: MemberId, b: MemberId) -> tuple[MemberId, MemberId]:
    """The two members in a fixed order, so a pair has one key whichever way it is named."""
    return (a, b) if a < b else (b, a)


@dataclass(slots=True)
class CostModel:
    """Pair and member costs, precomputed once per call."""

    members: list[MemberId]
    history: Sequence[PastRound]
    constraints: Constraints
    special: dict[tuple[MemberId, MemberId], int | None] = field(default_factory=dict)
    met: set[tuple[MemberId, MemberId]] = field(default_factory=set)
    forbidden: set[tuple[MemberId, MemberId]] = field(default_factory=set)
    pins: set[tuple[MemberId, MemberId]] = field(default_factory=set)
    trio_penalty: dict[MemberId, int] = field(default_factory=dict)
    sat_out_last: frozenset[MemberId] = frozenset()
    in_trio_last: frozenset[MemberId] = frozenset()

    def __post_init__(self) -> None:
        present = set(self.members)
        rounds = len(self.history)
        # Only pairs that met (or are constrained) get an entry: everyone else costs 0.
        special: dict[tuple[MemberId, MemberId], int | None] = {}
        for index, past in enumerate(self.history):
            age = rounds - index  # 1 = the previous round
            for group in past.groups:
                for a, b in combinations(group, 2):
                    if a in present and b in present and a != b:
                        key = pair_key(a, b)
                        self.met.add(key)
                        base = special.get(key) or _REPEAT
                        special[key] = base + _RECENCY * (1000 // age)
                if len(group) == 3:
                    for m in group:
                        # Most recent trio wins: later rounds overwrite earlier ones.
                        self.trio_penalty[m] = _TRIO * (1000 // age)
        for a, b in (*self.constraints.avoid, *self.constraints.separate):
            if a != b:
                self.forbidden.add(pair_key(a, b))
        for a, b in self.constraints.pin:
            key = pair_key(a, b)
            if a != b and key not in self.forbidden and a in present and b in present:
                self.pins.add(key)
                special[key] = (special.get(key) or 0) - _PIN
        for key in self.forbidden:
            special[key] = _FORBIDDEN
        self.special = special
        if self.history:
            last = self.history[-1]
            self.sat_out_last = frozenset(last.sat_out)
            self.in_trio_last = frozenset(m for g in last.groups if len(g) == 3 for m in g)

    def pair_cost(self, a: MemberId, b: MemberId) -> int | None:
        """Cost of putting ``a`` and ``b`` together; ``None`` when forbidden."""
        return self.special.get(pair_key(a, b), 0)

    def trio_cost(self, member: MemberId) -> int:
        """What putting ``member`` in a trio costs (more if they were in one recently)."""
        return self.trio_penalty.get(member, 0)

    def unplaced_cost(self, member: MemberId) -> int:
        """What leaving ``member`` out costs (double if they sat out last round)."""
        return _UNPLACED * (2 if member in self.sat_out_last else 1)

    def total_cost(self, groups: Iterable[Group], unplaced: Iterable[MemberId]) -> int:
        """The cost of a whole (partial) round: its groups and the members left out."""
        return sum(self.group_cost(g) or 0 for g in groups) + sum(self.unplaced_cost(m) for m in unplaced)

    def group_cost(self, group: Sequence[MemberId]) -> int | None:
        """The cost of one group; ``None`` when any two of it may not meet."""
        total = 0
        for a, b in combinations(group, 2):
            cost = self.special.get(pair_key(a, b), 0)
            if cost is None:
                return None
            total += cost
        if len(group) == 3:
            total += sum(self.trio_penalty.get(m, 0) for m in group)
        return total


# --------------------------------------------------------------------------------------------
# Solvers
# --------------------------------------------------------------------------------------------


def solve_exact(
    members: Sequence[MemberId], model: CostModel, *, trio_allowed: bool
) -> tuple[list[Group], list[MemberId]]:
    """Minimum-cost grouping of a few members: pairs, at most one trio, the rest unplaced.

    Memoised over (remaining members as a bitmask, whether the trio is still available). The
    lowest remaining member is always decided first, so each grouping is enumerated once.
    """
    n = len(members)
    pair = [[model.pair_cost(members[i], members[j]) for j in range(n)] for i in range(n)]
    trio = [model.trio_cost(m) for m in members]
    alone = [model.unplaced_cost(m) for m in members]
    memo: dict[tuple[int, bool], tuple[int, tuple[tuple[int, ...], ...]]] = {}

    def best(mask: int, trio_left: bool) -> tuple[int, tuple[tuple[int, ...], ...]]:
        if mask == 0:
            return 0, ()
        state = (mask, trio_left)
        if state in memo:
            return memo[state]
        i = (mask & -mask).bit_length() - 1
        rest = mask & ~(1 << i)
        sub_cost, sub_groups = best(rest, trio_left)
        answer = (alone[i] + sub_cost, ((i,), *sub_groups))
        others = [j for j in range(i + 1, n) if rest >> j & 1 and pair[i][j] is not None]
        for j in others:
            cost_ij = pair[i][j]
            assert cost_ij is not None
            sub_cost, sub_groups = best(rest & ~(1 << j), trio_left)
            if cost_ij + sub_cost < answer[0]:
                answer = (cost_ij + sub_cost, ((i, j), *sub_groups))
        if trio_left:
            for j, k in combinations(others, 2):
                cost_jk = pair[j][k]
                if cost_jk is None:
                    continue
                cost_ij, cost_ik = pair[i][j], pair[i][k]
                assert cost_ij is not None and cost_ik is not None
                cost = cost_ij + cost_ik + cost_jk + trio[i] + trio[j] + trio[k]
                sub_cost, sub_groups = best(rest & ~(1 << j) & ~(1 << k), False)
                if cost + sub_cost < answer[0]:
                    answer = (cost + sub_cost, ((i, j, k), *sub_groups))
        memo[state] = answer
        return answer

    _, chosen = best((1 << n) - 1, trio_allowed)
    groups = [tuple(members[i] for i in g) for g in chosen if len(g) > 1]
    unplaced = [members[g[0]] for g in chosen if len(g) == 1]
    return groups, unplaced


def greedy(
    people: list[MemberId], model: CostModel, rng: random.Random
) -> tuple[list[Group], list[MemberId]]:
    """A fast, decent start: honoured pins first, then each member takes a fresh partner."""
    free = set(people)
    groups: list[Group] = []
    for a, b in sorted(model.pins):
        if a in free and b in free:
            groups.append((a, b))
            free -= {a, b}

    # With an odd count, set aside the fairest trio candidate and add them to a pair at the end.
    third: MemberId | None = None
    if len(free) % 2 == 1:
        candidates = sorted(free)
        rng.shuffle(candidates)
        third = min(candidates, key=lambda m: (m in model.sat_out_last, model.trio_cost(m)))
        free.discard(third)

    # Priority first (sat out last time, then trio last time), then the most constrained.
    met_count: dict[MemberId, int] = dict.fromkeys(free, 0)
    for a, b in model.special:
        if a in met_count and b in met_count:
            met_count[a] += 1
            met_count[b] += 1
    order = sorted(free)
    rng.shuffle(order)
    order.sort(key=lambda m: (m not in model.sat_out_last, m not in model.in_trio_last, -met_count[m]))

    pool = order[:]  # members still free, with O(1) random pick and removal
    where = {m: i for i, m in enumerate(pool)}

    def take(m: MemberId) -> None:
        i = where.pop(m)
        last = pool.pop()
        if last != m:
            pool[i] = last
            where[last] = i

    unplaced: list[MemberId] = []
    for m in order:
        if m not in where:
            continue
        take(m)
        partner: MemberId | None = None
        # Fresh partners cost 0, the best possible; a few random probes almost always find one.
        for _ in range(min(24, len(pool))):
            candidate = pool[rng.randrange(len(pool))]
            if model.pair_cost(m, candidate) == 0:
                partner = candidate
                break
        if partner is None:
            scored = [(c, o) for o in pool if (c := model.pair_cost(m, o)) is not None]
            if scored:
                partner = min(scored)[1]
        if partner is None:
            unplaced.append(m)
        else:
            take(partner)
            groups.append((m, partner))

    if third is not None:
        options = [
            (cost - (model.group_cost(g) or 0), i)
            for i, g in enumerate(groups)
            if len(g) == 2 and (cost := model.group_cost((*g, third))) is not None
        ]
        if options:
            _, i = min(options)
            groups[i] = (*groups[i], third)
        else:
            unplaced.append(third)
    return groups, unplaced


def improve(
    groups: list[Group], unplaced: list[MemberId], model: CostModel, rng: random.Random
) -> tuple[list[Group], list[MemberId]]:
    """Large-neighbourhood search: re-solve each weak spot exactly together with random groups.

    Weak spots are groups holding a repeat or an unfair trio, members left out, and pins not
    honoured. Each is re-solved with random other groups (up to ``_NEIGHBOURHOOD_MEMBERS``
    members in all) and any strict improvement is kept, so the total cost only goes down.
    """
    groups = list(groups)
    unplaced = list(unplaced)
    hopeless = {m for m in unplaced if all(model.pair_cost(m, o) is None for o in model.members if o != m)}

    def weak_spots() -> list[tuple[MemberId, ...]]:
        # Each spot is a few members whose groups (or unplaced selves) must be re-solved together.
        spots: list[tuple[MemberId, ...]] = [g for g in groups if (model.group_cost(g) or 0) >= _TRIO]
        # Someone with no allowed partner at all stays out whatever we do: do not search for them.
        hopeful = [m for m in unplaced if m not in hopeless]
        if hopeful:
            spots.append(tuple(hopeful[:2]))
        group_of = {m: g for g in groups for m in g}
        spots.extend(key for key in sorted(model.pins) if group_of.get(key[0], ()) != group_of.get(key[1]))
        return spots

    for _sweep in range(3):  # later sweeps catch spots created or left by earlier ones
        changed = False
        for spot in weak_spots():
            for _attempt in range(_ATTEMPTS_PER_UNIT):
                group_of = {m: g for g in groups for m in g}
                picked = list(dict.fromkeys(group_of[m] for m in spot if m in group_of))
                loose = [m for m in spot if m not in group_of]
                before = model.total_cost(picked, loose)
                if before < _TRIO:
                    break  # fixed meanwhile (for example as part of another neighbourhood)
                size = sum(map(len, picked)) + len(loose)
                others = [g for g in groups if g not in picked]
                rng.shuffle(others)
                for g in others:
                    if size + len(g) <= _NEIGHBOURHOOD_MEMBERS:
                        picked.append(g)
                        size += len(g)
                members = [m for g in picked for m in g] + loose
                trio_elsewhere = any(len(g) == 3 for g in others if g not in picked)
                new_groups, new_loose = solve_exact(members, model, trio_allowed=not trio_elsewhere)
                if model.total_cost(new_groups, new_loose) < model.total_cost(picked, loose):
                    changed = True
                    groups = [g for g in groups if g not in picked] + new_groups
                    unplaced = [m for m in unplaced if m not in loose] + new_loose
        if not changed:
            break
    return groups, unplaced


# --------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------


def finish(
    groups: list[Group], unplaced: list[MemberId], people: list[MemberId], model: CostModel
) -> PairingResult:
    """Sort everything, attach reasons, and count repeats."""
    final = tuple(sorted(tuple(sorted(g)) for g in groups))
    placed_with = {m: g for g in final for m in g}

    reasons: list[Unplaced] = []
    for m in sorted(unplaced):
        allowed_any = any(o != m and model.pair_cost(m, o) is not None for o in people)
        reasons.append(
            Unplaced(m, UnplacedReason.PARTNERS_TAKEN if allowed_any else UnplacedReason.NO_ALLOWED_PARTNER)
        )

    present = set(people)
    honoured = {
        key for key in model.pins if key[0] in placed_with and placed_with[key[0]] == placed_with.get(key[1])
    }
    unmet: list[UnmetPin] = []
    seen: set[tuple[MemberId, MemberId]] = set()
    for a, b in model.constraints.pin:
        key = pair_key(a, b)
        if a == b or key in seen or key in honoured:
            continue
        seen.add(key)
        if a not in present or b not in present:
            reason = PinReason.NOT_OPTED_IN
        elif key in model.forbidden:
            reason = PinReason.FORBIDDEN
        elif any(a in k or b in k for k in honoured):
            reason = PinReason.OTHER_PIN
        else:
            reason = PinReason.WOULD_LEAVE_SOMEONE_OUT
        unmet.append(UnmetPin(key, reason))

    repeats = sum(1 for g in final for a, b in combinations(g, 2) if pair_key(a, b) in model.met)
    return PairingResult(groups=final, unplaced=tuple(reasons), unmet_pins=tuple(unmet), repeats=repeats)
