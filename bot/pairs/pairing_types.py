"""What the pair matcher takes and gives: past rounds, constraints, and a proposed round.

Reasons given for unplaced members and unmet pins never name who is on whose avoid list:
avoid lists are confidential, so facilitators see "a do-not-pair or keep-apart constraint".
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

MemberId = int
Group = tuple[MemberId, ...]


class UnplacedReason(StrEnum):
    """Why a member could not be placed in a group this round."""

    NOT_ENOUGH_MEMBERS = "not_enough_members"
    NO_ALLOWED_PARTNER = "no_allowed_partner"
    PARTNERS_TAKEN = "partners_taken"


class PinReason(StrEnum):
    """Why a facilitator's pin-together constraint was not honoured."""

    NOT_OPTED_IN = "not_opted_in"
    FORBIDDEN = "forbidden"
    OTHER_PIN = "other_pin"
    WOULD_LEAVE_SOMEONE_OUT = "would_leave_someone_out"


_UNPLACED_TEXT = {
    UnplacedReason.NOT_ENOUGH_MEMBERS: "Fewer than two members opted in, so there is no one to pair with.",
    UnplacedReason.NO_ALLOWED_PARTNER: (
        "Every other opted-in member is excluded by a do-not-pair or keep-apart constraint."
    ),
    UnplacedReason.PARTNERS_TAKEN: (
        "The only members they may be paired with were needed elsewhere; "
        "do-not-pair and keep-apart constraints left no group for them."
    ),
}

_PIN_TEXT = {
    PinReason.NOT_OPTED_IN: "One of the two is not opted in to this round.",
    PinReason.FORBIDDEN: "A do-not-pair or keep-apart constraint overrides the pin.",
    PinReason.OTHER_PIN: "One of the two is pinned to someone else, and that pin was honoured.",
    PinReason.WOULD_LEAVE_SOMEONE_OUT: "Honouring it would have left another member without a group.",
}


@dataclass(frozen=True, slots=True)
class PastRound:
    """One earlier round: its groups, and who was opted in but could not be placed."""

    groups: tuple[Group, ...]
    sat_out: frozenset[MemberId] = frozenset()


@dataclass(frozen=True, slots=True)
class Constraints:
    """Boundaries for a round.

    ``avoid`` holds ``(member, avoided)`` rows from members' confidential do-not-pair lists;
    either direction forbids the pair. ``separate`` and ``pin`` hold facilitator pairs to keep
    apart or to put together (order within a pair does not matter).
    """

    avoid: Collection[tuple[MemberId, MemberId]] = ()
    separate: Collection[tuple[MemberId, MemberId]] = ()
    pin: Collection[tuple[MemberId, MemberId]] = ()


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A member who could not be placed, with a reason a facilitator preview can show."""

    member: MemberId
    reason: UnplacedReason

    @property
    def message(self) -> str:
        """The reason in plain words."""
        return _UNPLACED_TEXT[self.reason]


@dataclass(frozen=True, slots=True)
class UnmetPin:
    """A pin-together constraint that was not honoured, and why."""

    members: tuple[MemberId, MemberId]
    reason: PinReason

    @property
    def message(self) -> str:
        """The reason in plain words."""
        return _PIN_TEXT[self.reason]


@dataclass(frozen=True, slots=True)
class PairingResult:
    """A proposed round.

    ``groups`` are pairs plus at most one trio (members sorted within a group, groups sorted).
    ``unplaced`` lists everyone opted in who is in no group, each with a reason. ``problem`` is
    set when no round can be formed at all (fewer than two members). ``repeats`` counts pairs
    of members placed together who have met before.
    """

    groups: tuple[Group, ...]
    unplaced: tuple[Unplaced, ...] = ()
    unmet_pins: tuple[UnmetPin, ...] = ()
    problem: str | None = None
    repeats: int = 0


class RePairKind(StrEnum):
    """How :func:`re_pair` placed the member."""

    PAIRED = "paired"
    JOINED_GROUP = "joined_group"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class RePairResult:
    """The outcome of a mid-round re-pairing request.

    ``group`` is the new group including the member (``None`` when nothing was possible);
    ``replaces`` is the existing pair it grows from when the member joins as a third.
    """

    kind: RePairKind
    group: Group | None = None
    replaces: Group | None = None
