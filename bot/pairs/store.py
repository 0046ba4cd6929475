"""SQL for accountability pairs: one repository over the two halves of its tables.

``store_members`` holds who takes part (opt-ins, avoid lists, constraints); ``store_rounds``
the rounds themselves (groups, history, answers, waiting lists, round settings).
"""

from __future__ import annotations

from bot.pairs.store_members import ConstraintKind, OptIn, PairMemberStore
from bot.pairs.store_rounds import HISTORY_ROUNDS, Answer, PairGroup, PairRoundStore, Round, RoundReport

__all__ = [
    "HISTORY_ROUNDS",
    "Answer",
    "ConstraintKind",
    "OptIn",
    "PairGroup",
    "PairRepository",
    "Round",
    "RoundReport",
]


class PairRepository(PairMemberStore, PairRoundStore):
    """All SQL for the pairs feature: both halves over one database."""
