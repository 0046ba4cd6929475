"""Cross-validation and cut-off choice for the crisis classifier: training part only."""

from __future__ import annotations

import numpy as np

from bot.crisis import corpus
from bot.crisis.crossval import fold_of
from bot.crisis.cutoffs import CEILINGS, choose
from bot.crisis.model import Thresholds


def _example(label: str, pattern: str) -> corpus.Example:
    return corpus.Example("t", label, pattern, "a")  # type: ignore[arg-type]


def test_folds_cover_the_training_part_and_never_the_test_part():
    train = corpus.training_part()
    folds = {fold_of(e.text) for e in train}
    assert folds == {0, 1, 2, 3, 4}
    assert all(corpus.part_of(e.text) == "train" for e in train)


def test_cut_offs_answer_the_crisis_texts_within_the_ceilings():
    # 10 crisis texts the model is sure of, 20 idioms it is unsure of, 20 chat texts it rejects.
    examples = (
        [_example("concern", "passive_ideation")] * 10
        + [_example("none", "hyperbole")] * 20
        + [_example("none", "everyday_chat")] * 20
    )
    crisis_p = np.array([0.9] * 10 + [0.5] * 20 + [0.1] * 20, dtype=np.float32)
    probs = np.stack([1 - crisis_p, crisis_p, 0 * crisis_p, 0 * crisis_p, 0 * crisis_p], axis=1)
    rules = np.zeros((50, 4), dtype=np.float32)
    harm = np.ones(50, dtype=bool)
    cuts = choose(probs, rules, harm, examples)
    assert set(cuts) == set(Thresholds.names()) - {"gate"}
    assert 0.5 < cuts["standard"] <= 0.9  # above every idiom, at or below every crisis text
    assert cuts["cautious"] <= cuts["standard"]
    assert CEILINGS["standard"][0] <= CEILINGS["cautious"][0]
