"""k-fold cross-validation of the whole detector on the training part: ``python -m bot.crisis.crossval``.

Each fold trains the classifier with the shipped recipe (:func:`bot.crisis.train.build`, which
chooses its own cut-offs from out-of-fold probabilities of its own texts) on the other folds of
the training part plus the training-only extras, then scores the held-out fold through the same
path as ``make bench`` (:func:`bot.crisis.score.tally`): the rules and the classifier together,
at each sensitivity, beside the rules alone. The test part is never opened here. The folds
are fixed by a hash of each text, different from the one :mod:`bot.crisis.train` uses inside.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from collections import defaultdict
from collections.abc import Sequence

from bot.crisis import corpus
from bot.crisis.detect import SHIPPED_CONTENT, Detector, Sensitivity, shipped_rules
from bot.crisis.model import Classifier
from bot.crisis.score import rates, tally

FOLDS = 5
SENSITIVITIES: tuple[Sensitivity, ...] = ("standard", "cautious")


def fold_of(text: str, folds: int = FOLDS) -> int:
    """Which outer fold a training text is held out in."""
    return zlib.crc32(b"outer:" + text.encode("utf-8")) % folds


def cross_validate(folds: int = FOLDS, *, only: int | None = None) -> dict[str, dict[str, float]]:
    """Pooled held-out rates: ``{"rules": ..., "standard": ..., "cautious": ...}``.

    ``only`` runs a single fold (a quicker, noisier look).
    """
    from bot.crisis.train import build  # training needs wordllama's embeddings: import on use

    examples = corpus.training_part()
    extra = corpus.training_extra()
    rules = shipped_rules()
    pooled: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for fold in range(folds) if only is None else (only,):
        held = [e for e in examples if fold_of(e.text, folds) == fold]
        fit = [e for e in examples if fold_of(e.text, folds) != fold] + extra
        classifier = Classifier(build(fit, rules), source=f"fold {fold}")
        detector = Detector.from_content(SHIPPED_CONTENT, classifier=classifier)
        for name, hits in tally(rules, held).items():
            pooled["rules"][name] += hits
        for sensitivity in SENSITIVITIES:
            for name, hits in tally(detector, held, sensitivity).items():
                pooled[sensitivity][name] += hits
    return {name: rates(hits) for name, hits in pooled.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.crisis.crossval", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--only", type=int, help="run one fold only")
    parser.add_argument("--patterns", action="store_true", help="also print the rate of each pattern")
    args = parser.parse_args(argv)
    found = cross_validate(args.folds, only=args.only)
    for name, figures in found.items():
        shown = {k: round(v, 3) for k, v in figures.items() if args.patterns or not k.startswith("pattern:")}
        print(json.dumps({"detector": name, **shown}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
