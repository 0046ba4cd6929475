"""Choosing the classifier's cut-offs from out-of-fold probabilities (training texts only).

:func:`choose` simulates :func:`bot.crisis.detect.combine` on each text's out-of-fold
probabilities and picks, for each sensitivity, the three cut-offs of
:class:`bot.crisis.model.Thresholds` (harm word, no harm word, keeping a rules concern) that
answer the most crisis texts while what they add to the rules' idioms-and-jokes false alarms,
and the everyday-chat rate, stay under that sensitivity's ceilings. Only texts from the blind
writers count: the training part and the extras written in its style (writer ``more``), not the
everyday-chat extras.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.crisis import corpus

# What the classifier may add to the rules' false alarms, out-of-fold, for each sensitivity:
# (idioms and jokes, in points over the rules alone; everyday chat, as a rate). The rules alone
# already flag about 0.10 of the training part's idioms (recovery stories, "kms" jokes) and a
# rules concern always stands, so issue 15's 0.05 is out of reach this way; the training part
# has about 120 chat texts, so a chat ceiling under 0.02 is decided by one or two texts.
CEILINGS = {"standard": (0.03, 0.02), "cautious": (0.07, 0.05)}
# Ceiling on everyday texts (idioms and chat) read as someone else at risk, or as harassment.
READER_FPR = 0.01
CUTS = np.round(np.arange(0.30, 1.00, 0.01), 2)
# A text with no word of harm is never added (1.01): cross-validation chose a low cut there
# that read "my dog is the best thing in my life" as a crisis, and such texts can then skip
# the classifier altogether, which the throughput needs. The field stays for a later choice.
PLAIN_CUTS = np.array([1.01])
# A rules concern always stands (0.0): cross-validation would let the classifier overrule
# concerns under 0.45, which cut false alarms on jokes but also overruled bare "kms" and
# "kill myslef" and a tenth of the regression suite's crisis lines. The field stays for later.
KEEP_CUTS = np.array([0.0])

Matrix = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]


def _counts(score: Matrix, group: Mask, kinds: Sequence[Mask], cuts: npt.NDArray[np.float64]) -> Matrix:
    """For each cut: how many texts of each kind in ``group`` reach it (shape cuts x kinds)."""
    return np.array(
        [[float((group & kind & (score >= cut)).sum()) for kind in kinds] for cut in cuts], dtype=np.float64
    ).astype(np.float32)


def choose(probs: Matrix, rules: Matrix, harm: Mask, examples: Sequence[corpus.Example]) -> dict[str, float]:
    """The cut-offs by name (all of :class:`Thresholds` but the gate)."""
    blind = np.array([e.writer != "extra" for e in examples])
    label = np.array([e.label for e in examples])
    pattern = np.array([e.pattern for e in examples])
    crisis = blind & np.isin(label, ["concern", "urgent"])
    idiom = blind & (label == "none") & np.isin(pattern, sorted(corpus.IDIOM_PATTERNS))
    chat = blind & (label == "none") & np.isin(pattern, sorted(corpus.CHAT_PATTERNS))
    kinds = (crisis, idiom, chat)
    totals = np.array([max(int(k.sum()), 1) for k in kinds], dtype=np.float32)
    score = probs[:, 1] + probs[:, 2]
    urgent_rule, concern_rule = rules[:, 1] > 0, (rules[:, 0] > 0) & ~(rules[:, 1] > 0)
    open_ = ~urgent_rule & ~concern_rule
    fixed = np.array([float((urgent_rule & k).sum()) for k in kinds], dtype=np.float32)
    keep = _counts(score, concern_rule, kinds, KEEP_CUTS)  # keep x kinds
    with_harm = _counts(score, open_ & harm, kinds, CUTS)
    plain = _counts(score, open_ & ~harm, kinds, PLAIN_CUTS)
    # rates[keep, cut, plain, kind]
    rates = (fixed + keep[:, None, None] + with_harm[None, :, None] + plain[None, None, :]) / totals
    rules_idiom = float(((urgent_rule | concern_rule) & idiom).sum()) / totals[1]
    found: dict[str, float] = {}
    # Cautious answers all that standard does (its cut-offs are no higher): chosen second.
    below = np.ones(rates.shape[:3], dtype=bool)
    for sensitivity, (idiom_max, chat_max) in CEILINGS.items():
        added = rates[..., 1] - rules_idiom
        allowed = below & (added <= idiom_max + 1e-9) & (rates[..., 2] <= chat_max + 1e-9)
        # The most recall within the ceilings; among equals, the fewest false alarms.
        merit = np.where(allowed, rates[..., 0] * 1000 - rates[..., 1] - rates[..., 2], -np.inf)
        k, c, p = (int(i) for i in np.unravel_index(int(np.argmax(merit)), merit.shape))
        if not np.isfinite(merit[k, c, p]):  # nothing fits: the model adds nothing, keeps every rules hit
            k, c, p = 0, len(CUTS) - 1, len(PLAIN_CUTS) - 1
        suffix = "" if sensitivity == "standard" else "_cautious"
        found["standard" if sensitivity == "standard" else "cautious"] = float(CUTS[c])
        found[f"plain{suffix}"] = float(PLAIN_CUTS[p])
        found[f"keep{suffix}"] = float(KEEP_CUTS[k])
        below = (
            (KEEP_CUTS[:, None, None] <= KEEP_CUTS[k])
            & (CUTS[None, :, None] <= CUTS[c])
            & (PLAIN_CUTS[None, None, :] <= PLAIN_CUTS[p])
        )
    everyday = idiom | chat
    found["other"] = max(0.5, threshold_for(probs[:, 3], everyday, READER_FPR))
    found["harassment"] = max(0.5, threshold_for(probs[:, 4], everyday, READER_FPR))
    return found


def threshold_for(scores: Matrix, rows: Mask, fpr: float) -> float:
    """The lowest cut-off at which at most ``fpr`` of ``rows`` would be flagged."""
    ranked = np.sort(scores[rows])[::-1]
    allowed = math.floor(fpr * len(ranked))
    return float(ranked[allowed]) + 1e-6 if allowed < len(ranked) else 0.0
