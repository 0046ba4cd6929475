"""The frozen crisis corpus: hand-written, labelled texts, split once into training and test parts.

``corpus/crisis/writer_*.jsonl`` were written by four writers who never saw the detector or its
phrase list (issue 15), before any tuning. :func:`split` assigns each text to ``train`` or ``test``
by a hash of its text, so the split never depends on file order and never changes. Tuning may
read the training part; the test part is only scored (:func:`score`), never read while tuning.
``corpus/crisis/SHA256SUMS`` freezes every file; a test checks it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "crisis"
Label = Literal["urgent", "concern", "other", "harassment", "none"]
LABELS: tuple[Label, ...] = ("urgent", "concern", "other", "harassment", "none")
# Patterns of "none" that are hard negatives (idioms, jokes, media), and plain everyday chat.
IDIOM_PATTERNS = frozenset(
    {"hyperbole", "copypasta_lyrics", "game_talk", "dark_joke", "art_media", "topic_discussion",
     "recovery", "negated_true"}
)  # fmt: skip
CHAT_PATTERNS = frozenset({"mild_distress", "everyday_chat"})
TEST_SHARE = 40  # percent of texts in the test part


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled text."""

    text: str
    label: Label
    pattern: str
    writer: str


def part_of(text: str) -> Literal["train", "test"]:
    """Which part a text belongs to, fixed by its content."""
    digest = hashlib.sha256(text.strip().casefold().encode("utf-8")).digest()
    return "test" if int.from_bytes(digest[:4], "big") % 100 < TEST_SHARE else "train"


def load(folder: Path = CORPUS) -> list[Example]:
    """Every writer's file, in a stable order."""
    examples = []
    for path in sorted(folder.glob("writer_*.jsonl")):
        writer = path.stem.removeprefix("writer_")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            data = json.loads(line)
            if data["label"] not in LABELS:
                raise ValueError(f"{path.name}:{number}: label {data['label']!r} is not one of {LABELS}")
            examples.append(Example(str(data["text"]), data["label"], str(data["pattern"]), writer))
    return examples


def split(examples: Iterable[Example]) -> tuple[list[Example], list[Example]]:
    """(train, test)."""
    train: list[Example] = []
    test: list[Example] = []
    for example in examples:
        (test if part_of(example.text) == "test" else train).append(example)
    return train, test


def training_part(folder: Path = CORPUS) -> list[Example]:
    """The part tuning may read."""
    return split(load(folder))[0]


# Extras written like the corpus (every pattern, crisis texts and hard negatives) by helpers
# who did not see the phrase list, added on 2026-12-07; the other extras are everyday chat.
BLIND_EXTRAS = frozenset({"train_more_a", "train_more_b"})


def training_extra(folder: Path = CORPUS / "extra") -> list[Example]:
    """Texts written for training only: never part of the test, never scored.

    Every ``*.jsonl`` in ``corpus/crisis/extra/``: everyday group chat and plans (writer
    ``extra``), and the files of :data:`BLIND_EXTRAS`, texts in the corpus's style covering
    every pattern (writer ``more``, counted beside the training part when cut-offs are chosen).
    None of them is the same text as any in the frozen corpus (a test checks it).
    """
    examples = []
    for path in sorted(folder.glob("*.jsonl")):
        writer = "more" if path.stem in BLIND_EXTRAS else "extra"
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                data = json.loads(line)
                examples.append(Example(str(data["text"]), data["label"], str(data["pattern"]), writer))
    return examples


def test_part(folder: Path = CORPUS) -> list[Example]:
    """The part that is only scored. Call it from scoring code, never to look at the texts."""
    return split(load(folder))[1]


def checksums(folder: Path = CORPUS) -> dict[str, str]:
    """sha256 of each corpus file, by name."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.glob("writer_*.jsonl"))
    }


def frozen_checksums(folder: Path = CORPUS) -> dict[str, str]:
    """What ``SHA256SUMS`` says (``sha256sum`` format)."""
    found = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            found[name.lstrip("*")] = digest
    return found
