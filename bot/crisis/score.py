"""Score a detector on labelled texts: the rates issue 15 asks for, and one rate per pattern.

Used by ``make bench`` (on the frozen test part, beside the rules alone) and by the tests. It
returns counts and rates only, never the texts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from bot.crisis.corpus import CHAT_PATTERNS, IDIOM_PATTERNS, Example
from bot.crisis.detect import Detector, Sensitivity

CRISIS = ("urgent", "concern")


def flagged(detector: Detector, example: Example, sensitivity: Sensitivity) -> tuple[bool, str, str]:
    """(answered as a crisis of the writer's, its level, who it is about)."""
    verdict = detector.detect(example.text, sensitivity=sensitivity)
    return verdict.level != "none", verdict.level, verdict.about


def score(
    detector: Detector, examples: Iterable[Example], sensitivity: Sensitivity = "standard"
) -> dict[str, float]:
    """``crisis_recall``, ``crisis_recall_urgent``, ``crisis_fpr_idiom``, ``crisis_fpr_chat``,
    ``other_recall``, ``harassment_recall`` and ``pattern:<name>`` (share answered as its label
    asks: flagged for crisis patterns, not flagged for "none" ones)."""
    return rates(tally(detector, examples, sensitivity))


def rates(hits: dict[str, list[bool]]) -> dict[str, float]:
    """Each tally's share of True."""
    return {name: sum(values) / len(values) for name, values in sorted(hits.items()) if values}


def tally(
    detector: Detector, examples: Iterable[Example], sensitivity: Sensitivity = "standard"
) -> dict[str, list[bool]]:
    """What :func:`score` counts, one boolean per text and rate (tallies of folds add up)."""
    hits: dict[str, list[bool]] = defaultdict(list)
    for example in examples:
        answered, level, about = flagged(detector, example, sensitivity)
        if example.label in CRISIS:
            hits["crisis_recall"].append(answered and about == "self")
            hits[f"pattern:{example.pattern}"].append(answered)
            if example.label == "urgent":
                hits["crisis_recall_urgent"].append(level == "urgent")
        elif example.label == "other":
            hits["other_recall"].append(answered and about == "other")
            hits[f"pattern:{example.pattern}"].append(answered)
        elif example.label == "harassment":
            hits["harassment_recall"].append(answered and about == "harassment")
            hits[f"pattern:{example.pattern}"].append(answered and about == "harassment")
        else:
            self_alarm = answered and about == "self"
            if example.pattern in IDIOM_PATTERNS:
                hits["crisis_fpr_idiom"].append(self_alarm)
            if example.pattern in CHAT_PATTERNS:
                hits["crisis_fpr_chat"].append(self_alarm)
            hits[f"pattern:{example.pattern}"].append(not answered)
    return hits
