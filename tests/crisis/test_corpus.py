"""The crisis corpus is frozen: its files match SHA256SUMS, and its split never moves.

The corpus (``corpus/crisis/writer_*.jsonl``) was written by four writers who never saw the
detector, and frozen before any tuning. The test part is only ever scored.
"""

from __future__ import annotations

import collections

from bot.crisis import corpus


def test_every_file_matches_its_frozen_checksum():
    assert corpus.checksums() == corpus.frozen_checksums()
    assert len(corpus.frozen_checksums()) == 4


def test_the_corpus_is_large_labelled_and_has_no_repeats():
    examples = corpus.load()
    assert len(examples) >= 2000
    assert {e.label for e in examples} == set(corpus.LABELS)
    # A few short texts were written by two writers alike; the split puts both copies in the
    # same part, so no test text is ever seen in training. (Counts only: a failing assert here
    # must never print the texts themselves.)
    texts = [e.text.strip().casefold() for e in examples]
    repeats = len(texts) - len(set(texts))
    assert repeats < len(texts) // 100, f"{repeats} repeated texts"
    # Every pattern the issue names is there, from every writer.
    by_writer = collections.defaultdict(set)
    for e in examples:
        by_writer[e.writer].add(e.pattern)
    assert len(by_writer) == 4
    assert all(patterns == by_writer["a"] for patterns in by_writer.values())


def test_the_split_is_fixed_by_each_texts_content():
    train, test = corpus.split(corpus.load())
    assert (len(train), len(test)) == (1358, 882)
    # The same text always lands in the same part, whatever order or file it comes in.
    assert sum(corpus.part_of(e.text) != "test" for e in test) == 0
    assert sum(corpus.part_of(f"  {e.text.upper()} ") != "train" for e in train) == 0
    assert {e.label for e in test} == set(corpus.LABELS)


def test_no_training_extra_is_a_text_of_the_frozen_corpus():
    # The extras are training only: a text that is also in the corpus could be in its test part,
    # which tuning must never see. Compared casefolded and as the detector reads it (normalised);
    # counts only, never the texts.
    from bot.crisis.phrases import normalise

    frozen = corpus.load()
    keys = {e.text.strip().casefold() for e in frozen}
    norms = {normalise(e.text) for e in frozen}
    extra = corpus.training_extra()
    assert {e.writer for e in extra} == {"extra", "more"}
    assert sum(e.text.strip().casefold() in keys for e in extra) == 0
    assert sum(normalise(e.text) in norms for e in extra) == 0
    texts = [e.text.strip().casefold() for e in extra]
    assert len(texts) == len(set(texts)), f"{len(texts) - len(set(texts))} repeated extras"
    assert all(e.label in corpus.LABELS for e in extra)


def test_the_blind_extras_cover_every_pattern_of_the_corpus():
    more = [e for e in corpus.training_extra() if e.writer == "more"]
    assert len(more) >= 1500
    patterns = {e.pattern for e in corpus.load()}
    assert {e.pattern for e in more} <= patterns
    assert {e.label for e in more} == set(corpus.LABELS)
