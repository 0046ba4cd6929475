"""Train the crisis classifier on the corpus's training part: ``python -m bot.crisis.train``.

Reads only :func:`bot.crisis.corpus.training_part` (the test part is never opened here), builds
the features of :mod:`bot.crisis.model`, fits a class-balanced softmax with L2 by full-batch Adam
(deterministic: same data, same weights), picks the thresholds from five-fold out-of-fold
probabilities on the training part, and writes ``bot/crisis/classifier.npz``.

Threshold choice, on the out-of-fold probabilities of the training part only:
``standard`` is the lowest crisis probability at which the model's additions to the rules raise
the idioms-and-jokes false-alarm rate by at most :data:`STANDARD_FPR`'s first figure and keep
everyday chat under its second; ``cautious`` allows :data:`CAUTIOUS_FPR`. Both count only texts
the model may add to (those that pass :func:`bot.crisis.detect.speaks_of_harm`).

Training also reads ``corpus/crisis/extra/``, texts written for training only and never scored:
everyday group chat, and everyday plans such as "going to the gym tonight".
"""

from __future__ import annotations

import argparse
import math
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.crisis import corpus
from bot.crisis.detect import Detector, shipped_rules, speaks_of_harm
from bot.crisis.model import (
    CLASSES,
    EMBED_SCALE,
    WEIGHTS,
    embed,
    embedding_table,
    ngram_buckets,
    rule_features,
)
from bot.crisis.phrases import normalise

# What the model may add to the rules' false alarms, out-of-fold on the training part: (idioms
# and jokes, in points over the rules alone; everyday chat, as a rate). The training part has
# only ~120 chat texts, so a chat ceiling below 0.02 would be decided by one or two texts.
STANDARD_FPR = (0.03, 0.02)
CAUTIOUS_FPR = (0.07, 0.04)
# Ceiling on everyday texts (idioms and chat) read as someone else at risk, or as harassment.
READER_FPR = 0.01
# Share of the training part's crisis, someone-else and harassment texts the first look passes.
GATE_PASS = 0.99
MIN_DF = 2
L2 = 2e-4
EPOCHS = 600
FOLDS = 5

Matrix = npt.NDArray[np.float32]


class Features:
    """The training texts' features, built once; ``matrix`` picks the columns a fit may use."""

    def __init__(self, texts: Sequence[str], rules: Detector) -> None:
        self.norms = [normalise(t) for t in texts]
        self.grams = [ngram_buckets(n) for n in self.norms]
        self.embeddings = embed(self.norms)
        self.rules = np.array(
            [rule_features(v.level, v.signals) for v in (rules.rules(t) for t in texts)], dtype=np.float32
        )

    def vocabulary(self, rows: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.int64], Matrix]:
        """Buckets seen in at least MIN_DF of ``rows``' texts, and their idf."""
        df: dict[int, int] = {}
        for row in np.flatnonzero(rows):
            for bucket in self.grams[row]:
                df[bucket] = df.get(bucket, 0) + 1
        n = int(rows.sum())
        columns = np.array(sorted(b for b, c in df.items() if c >= MIN_DF), dtype=np.int64)
        idf = np.array([math.log((1 + n) / (1 + df[int(b)])) + 1 for b in columns], dtype=np.float32)
        return columns, idf

    def matrix(
        self,
        rows: npt.NDArray[np.bool_],
        columns: npt.NDArray[np.int64],
        idf: Matrix,
        mean: Matrix,
        scale: Matrix,
    ) -> Matrix:
        """Dense features for ``rows`` (as the model computes them one text at a time)."""
        where = {int(b): i for i, b in enumerate(columns)}
        picked = np.flatnonzero(rows)
        hashed = np.zeros((len(picked), len(columns)), dtype=np.float32)
        for out, row in enumerate(picked):
            for bucket, count in self.grams[row].items():
                col = where.get(bucket)
                if col is not None:
                    hashed[out, col] = (1.0 + math.log(count)) * idf[col]
            norm = float(np.linalg.norm(hashed[out]))
            if norm:
                hashed[out] /= norm
        dense = (self.embeddings[picked] - mean) / scale * EMBED_SCALE
        return np.hstack([hashed, dense, self.rules[picked]]).astype(np.float32)


def fit(x: Matrix, y: npt.NDArray[np.int64]) -> tuple[Matrix, Matrix]:
    """A class-balanced softmax regression with L2, by full-batch Adam from zeros."""
    n, width = x.shape
    k = len(CLASSES)
    counts = np.bincount(y, minlength=k).astype(np.float32)
    sample = (n / (k * np.maximum(counts, 1)))[y][:, None]
    onehot = np.eye(k, dtype=np.float32)[y]
    w = np.zeros((width, k), dtype=np.float32)
    b = np.zeros(k, dtype=np.float32)
    mw, vw, mb, vb = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    rate, beta1, beta2 = 0.05, 0.9, 0.999
    for step in range(1, EPOCHS + 1):
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        err = (p - onehot) * sample / n
        gw = x.T @ err + L2 * w
        gb = err.sum(axis=0)
        for m, v, g, param in ((mw, vw, gw, w), (mb, vb, gb, b)):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            param -= rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + 1e-8)
    return w, b


def predict(x: Matrix, w: Matrix, b: Matrix) -> Matrix:
    z = x @ w + b
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    return np.asarray(p / p.sum(axis=1, keepdims=True), dtype=np.float32)


def standardiser(embeddings: Matrix) -> tuple[Matrix, Matrix]:
    return embeddings.mean(axis=0), embeddings.std(axis=0) + 1e-6


def out_of_fold(features: Features, texts: Sequence[str], y: npt.NDArray[np.int64]) -> Matrix:
    """Each training text's probabilities from a model that never saw it."""
    folds = np.array([zlib.crc32(t.encode()) % FOLDS for t in texts])
    probs = np.zeros((len(texts), len(CLASSES)), dtype=np.float32)
    for fold in range(FOLDS):
        fit_rows, held = folds != fold, folds == fold
        columns, idf = features.vocabulary(fit_rows)
        mean, scale = standardiser(features.embeddings[fit_rows])
        w, b = fit(features.matrix(fit_rows, columns, idf, mean, scale), y[fit_rows])
        probs[held] = predict(features.matrix(held, columns, idf, mean, scale), w, b)
    return probs


def threshold_for(scores: Matrix, rows: npt.NDArray[np.bool_], fpr: float) -> float:
    """The lowest cut-off at which at most ``fpr`` of ``rows`` would be flagged."""
    ranked = np.sort(scores[rows])[::-1]
    allowed = math.floor(fpr * len(ranked))
    return float(ranked[allowed]) + 1e-6 if allowed < len(ranked) else 0.0


def cut_for(
    crisis_p: Matrix,
    rules_hit: npt.NDArray[np.bool_],
    idiom: npt.NDArray[np.bool_],
    chat: npt.NDArray[np.bool_],
    ceiling: tuple[float, float],
) -> float:
    """The lowest cut-off at which the rules with the model's additions stay under ``ceiling``."""
    for cut in np.round(np.arange(0.30, 0.99, 0.01), 2):
        flagged = rules_hit | (crisis_p >= cut)
        added = flagged[idiom].mean() - rules_hit[idiom].mean()
        if added <= ceiling[0] + 1e-9 and flagged[chat].mean() <= max(ceiling[1], rules_hit[chat].mean()):
            return float(cut)
    return 0.99


def train(out: Path = WEIGHTS, *, report: bool = True, oof: Path | None = None) -> dict[str, float]:
    examples = corpus.training_part() + corpus.training_extra()
    texts = [e.text for e in examples]
    y = np.array([CLASSES.index(e.label) for e in examples], dtype=np.int64)
    rules = shipped_rules()
    features = Features(texts, rules)
    probs = out_of_fold(features, texts, y)
    # The model may add a verdict only where a harm word is used (detect.speaks_of_harm), so
    # the cut-offs are chosen on what it could actually add.
    may_add = np.array([speaks_of_harm(n) for n in features.norms], dtype=np.float32)
    crisis_p = (probs[:, 1] + probs[:, 2]) * may_add
    if oof is not None:  # for choosing the cut-offs: the training part's out-of-fold view
        np.save(oof, probs)
    blind = np.array([e.writer != "extra" for e in examples])
    idiom = blind & np.array([e.label == "none" and e.pattern in corpus.IDIOM_PATTERNS for e in examples])
    chat = blind & np.array([e.label == "none" and e.pattern in corpus.CHAT_PATTERNS for e in examples])
    rules_hit = features.rules[:, :2].sum(axis=1) > 0  # concern or urgent by the rules
    standard = cut_for(crisis_p, rules_hit, idiom, chat, STANDARD_FPR)
    cautious = min(cut_for(crisis_p, rules_hit, idiom, chat, CAUTIOUS_FPR), standard)
    everyday = idiom | chat
    other_cut = max(0.5, threshold_for(probs[:, 3], everyday, READER_FPR))
    harassment_cut = max(0.5, threshold_for(probs[:, 4], everyday, READER_FPR))
    everything = np.ones(len(texts), dtype=bool)
    columns, idf = features.vocabulary(everything)
    mean, scale = standardiser(features.embeddings)
    w, b = fit(features.matrix(everything, columns, idf, mean, scale), y)
    gate = first_look_gate(features, w, b, columns, mean, scale, y)
    thresholds = np.array([standard, cautious, other_cut, harassment_cut, gate], dtype=np.float32)
    # The embedding layer folded into one small table (token -> its share of the five logits),
    # from the weights as stored, so running the model never loads the embeddings.
    stored = w.astype(np.float16).astype(np.float32)
    dense = stored[len(columns) : len(columns) + len(mean)] * (EMBED_SCALE / scale[:, None])
    tokens = np.asarray(embedding_table(), dtype=np.float32) @ dense
    np.savez_compressed(
        out,
        columns=columns.astype(np.int32),
        idf=idf.astype(np.float16),
        mean=mean.astype(np.float32),
        scale=scale.astype(np.float32),
        weights=w.astype(np.float16),
        bias=b.astype(np.float32),
        thresholds=thresholds,
        tokens=tokens.astype(np.float32),
    )
    summary = {
        "standard": standard,
        "cautious": cautious,
        "other": other_cut,
        "harassment": harassment_cut,
        "columns": float(len(columns)),
    }
    if report:
        crisis = blind & np.isin(y, [1, 2])
        for name, cut in (("standard", standard), ("cautious", cautious)):
            flagged = rules_hit | (crisis_p >= cut)
            print(
                f"{name}: cut {cut:.3f}; rules with the model, out-of-fold (training part): "
                f"recall {flagged[crisis].mean():.3f}, "
                f"idioms {flagged[idiom].mean():.3f}, chat {flagged[chat].mean():.3f}",
                file=sys.stderr,
            )
        print(
            f"someone else at risk: cut {other_cut:.3f}; harassment: cut {harassment_cut:.3f}",
            file=sys.stderr,
        )
        print(f"wrote {out} ({len(columns)} n-gram columns)", file=sys.stderr)
    return summary


def first_look_gate(
    features: Features,
    w: Matrix,
    b: Matrix,
    columns: npt.NDArray[np.int64],
    mean: Matrix,
    scale: Matrix,
    y: npt.NDArray[np.int64],
) -> float:
    """The first-look margin that GATE_PASS of the training part's non-"none" texts reach."""
    offset = len(columns)
    dense = w[offset : offset + len(mean)] * (EMBED_SCALE / scale[:, None])
    logits = b - mean @ dense + features.embeddings @ dense + features.rules @ w[offset + len(mean) :]
    margin = logits[:, 1:].max(axis=1) - logits[:, 0]
    return float(np.quantile(margin[y != 0], 1 - GATE_PASS))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.crisis.train", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS, help="where to write the weights")
    parser.add_argument("--oof", type=Path, help="also save the out-of-fold probabilities (.npy)")
    args = parser.parse_args(argv)
    train(args.out, oof=args.oof)
    return 0


if __name__ == "__main__":
    sys.exit(main())
