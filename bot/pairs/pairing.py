"""The accountability-pair matcher: a pure function of members, history, constraints and a seed.

How a round is chosen, in order of importance (each tier outweighs everything below it):

1. **Never** a forbidden pair: members on either one's avoid list, or kept apart by a facilitator.
2. Place as many members as possible. Members who sat out last round are the last to be left
   out again.
3. Honour facilitator "pin together" constraints.
4. Fewest repeats: prefer pairs who have never met.
5. Trio fairness: with an odd count exactly one trio; its members are those who were in a trio
   least recently (a member who was in a trio last round is the last choice).
6. Among repeats, prefer pairs who met longest ago (and fewer times).

Groups of up to :data:`EXACT_LIMIT` members are solved exactly (dynamic programming over
subsets). Larger groups use a weighted greedy start followed by large-neighbourhood search:
each group that still holds a repeat (or an unfair trio, or a member left out) is re-solved
exactly together with a few random other groups, keeping any improvement. All randomness comes
from ``seed``, so the same inputs and seed give the same round, and a different seed gives a
different but equally good round (the facilitator's "Reshuffle").

The inputs and results are in ``pairing_types`` (re-exported here); the search is in ``solver``.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Sequence
from itertools import combinations

from bot.pairs.pairing_types import (
    Constraints,
    Group,
    MemberId,
    PairingResult,
    PastRound,
    PinReason,
    RePairKind,
    RePairResult,
    UnmetPin,
    Unplaced,
    UnplacedReason,
)
from bot.pairs.solver import CostModel, finish, greedy, improve, pair_key, solve_exact

__all__ = [
    "EXACT_LIMIT",
    "Constraints",
    "Group",
    "MemberId",
    "PairingResult",
    "PastRound",
    "PinReason",
    "RePairKind",
    "RePairResult",
    "UnmetPin",
    "Unplaced",
    "UnplacedReason",
    "is_forbidden",
    "make_pairs",
    "re_pair",
    "repeat_count",
]

#: Problems up to this many members are solved exactly; larger ones heuristically.
EXACT_LIMIT = 14
# Independent greedy + search runs for mid-sized groups, where one run can get stuck.
_RESTARTS_BELOW = 120
_RESTARTS = 4


def make_pairs(
    members: Iterable[MemberId],
    history: Sequence[PastRound] = (),
    constraints: Constraints | None = None,
    *,
    seed: int = 0,
) -> PairingResult:
    """Form one round of accountability pairs (and at most one trio).

    ``history`` is oldest first; its last element is the previous round. The result depends only
    on the arguments: member order does not matter, and the same ``seed`` gives the same round.
    """
    people = sorted(set(members))
    constraints = constraints or Constraints()
    if len(people) < 2:
        return PairingResult(
            groups=(),
            unplaced=tuple(Unplaced(m, UnplacedReason.NOT_ENOUGH_MEMBERS) for m in people),
            problem="Fewer than two members opted in: there is nothing to pair this round.",
        )

    model = CostModel(people, history, constraints)
    rng = random.Random(seed)
    if len(people) <= EXACT_LIMIT:
        order = people[:]
        rng.shuffle(order)  # the seed decides between equally good rounds
        groups, unplaced = solve_exact(order, model, trio_allowed=True)
    else:
        best: tuple[int, list[Group], list[MemberId]] | None = None
        for _ in range(_RESTARTS if len(people) < _RESTARTS_BELOW else 1):
            start_groups, start_unplaced = greedy(people, model, rng)
            groups, unplaced = improve(start_groups, start_unplaced, model, rng)
            cost = model.total_cost(groups, unplaced)
            if best is None or cost < best[0]:
                best = (cost, groups, unplaced)
        assert best is not None
        _, groups, unplaced = best

    return finish(groups, unplaced, people, model)


def re_pair(
    member: MemberId,
    *,
    waiting: Sequence[MemberId],
    groups: Sequence[Group],
    history: Sequence[PastRound] = (),
    constraints: Constraints | None = None,
    exclude: Collection[MemberId] = (),
    seed: int = 0,
) -> RePairResult:
    """Find a new partner mid-round for ``member``.

    First choice: another member in ``waiting`` (others who also need a partner, longest
    waiting first); the freshest allowed one wins, ties going to whoever has waited longest.
    Otherwise the member joins one of the current pairs in ``groups`` as a third, if both of that
    pair's members are allowed with them (trios are never grown further). ``exclude`` lists
    members not to be placed with again this round (for example the partner they left).
    """
    model = CostModel(
        [member, *waiting, *(m for g in groups for m in g)], history, constraints or Constraints()
    )
    skip = set(exclude) | {member}

    best: tuple[int, int, MemberId] | None = None
    for position, other in enumerate(waiting):
        if other in skip:
            continue
        cost = model.pair_cost(member, other)
        if cost is not None and (best is None or (cost, position) < best[:2]):
            best = (cost, position, other)
    if best is not None:
        return RePairResult(RePairKind.PAIRED, group=tuple(sorted((member, best[2]))))

    rng = random.Random(seed)
    options: list[tuple[int, float, Group]] = []
    for group in groups:
        if len(group) != 2 or member in group or skip.intersection(group):
            continue
        costs = [model.pair_cost(member, other) for other in group]
        if any(c is None for c in costs):
            continue
        # Trio fairness counts too, but only the joiner is new to the trio.
        total = sum(c for c in costs if c is not None) + model.trio_cost(member)
        options.append((total, rng.random(), group))
    if not options:
        return RePairResult(RePairKind.NONE)
    _, _, chosen = min(options)
    return RePairResult(
        RePairKind.JOINED_GROUP, group=tuple(sorted((*chosen, member))), replaces=tuple(sorted(chosen))
    )


def repeat_count(groups: Iterable[Group], history: Sequence[PastRound]) -> int:
    """How many member pairs inside ``groups`` have been in a group together before."""
    met = {frozenset(p) for past in history for g in past.groups for p in combinations(g, 2)}
    return sum(1 for g in groups for p in combinations(g, 2) if frozenset(p) in met)


def is_forbidden(a: MemberId, b: MemberId, constraints: Constraints) -> bool:
    """Whether ``a`` and ``b`` may never share a group (avoid list either way, or kept apart)."""
    key = pair_key(a, b)
    return any(pair_key(x, y) == key for x, y in (*constraints.avoid, *constraints.separate))
