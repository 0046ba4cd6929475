"""Crisis-language detection: a pure function from a message's text to a verdict.

The phrase data lives in ``content/crisis/phrases.toml``; this module only knows how to
normalise text and how to compile the small phrase language described there. Nothing is read
at import time: the shipped phrases are loaded on the first call to :func:`detect`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from bot.core.problems import ContentInvalid, Problem, read_toml
from bot.crisis.model import CLASSES, Classifier, rule_features, shipped_classifier
from bot.crisis.phrases import (
    BOUNDARY_END,
    BOUNDARY_START,
    WORD_CACHE,
    PhraseCompiler,
    Signal,
    check_phrase_data,
    compile_any,
    normalise,
)

Level = Literal["none", "concern", "urgent"]
# Who the message is about: the writer themself, someone else they are worried about, or another
# person they are telling to harm themselves (harassment: a moderation matter, not a crisis DM).
About = Literal["self", "other", "harassment"]
# A group's choice (``/crisis settings``): ``cautious`` answers more messages, at the cost of
# more false alarms (the README gives both rates, measured on the frozen test split).
Sensitivity = Literal["standard", "cautious"]
_RANK: dict[str, int] = {"none": 0, "concern": 1, "urgent": 2}

# Where the shipped content lives when running from the repository or an editable install.
SHIPPED_CONTENT = Path(__file__).resolve().parents[2] / "content"


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome for one message.

    ``signals`` names what matched, in phrase-file order. A signal that was negated
    ("I'm not going to hurt myself") is listed as ``negated:<id>`` and does not raise the
    level, nor does one the classifier read as a false alarm (``overruled:<id>``, then
    ``model:none``); a first-person urgent signal found in a reported, third-person or past
    context is kept but only counts as concern, and ``context:<why>`` says so.
    """

    level: Level
    signals: tuple[str, ...] = ()
    about: About = "self"


NONE = Verdict("none")
# Signals a "none" verdict may carry: read but negated, a context, or overruled by the classifier.
_QUIET = ("negated:", "context:", "overruled:")

_NEGATORS = frozenset(
    normalise(w)
    for w in [
        "not", "never", "dont", "wont", "wouldnt", "shouldnt", "isnt", "aint", "neither", "nor",
        "didnt", "doesnt", "havent", "hasnt",
    ]
)  # fmt: skip
# Words that end a negation's reach when walking back from a match ("I don't know if I...").
_NEGATION_STOPS = frozenset(
    normalise(w)
    for w in [
        ".",
        ",",
        "but",
        "if",
        "know",
        "think",
        "sure",
        "stop",
        "help",
        "though",
        "because",
        "and",
        "or",
        # "im not okay i want to die": the negation is of "okay", not of what follows.
        "okay",
        "ok",
        "fine",
        "alright",
        "good",
        "well",
    ]
)
_NEGATION_REACH = 3
# "I was going to ..." is about the past.
_PAST_LEAD = frozenset(normalise(w) for w in ["was", "were", "had", "wasnt"])


class Detector:
    """A crisis detector compiled once from phrase data; cheap to call many times."""

    def __init__(
        self, data: Mapping[str, Any], *, source: str = "phrases.toml", classifier: Classifier | None = None
    ) -> None:
        """Compile ``data`` (the parsed phrases TOML); raise ContentInvalid on any problem.

        With a ``classifier`` (the shipped detector has one), the learned stage decides the grey
        zone; without, the phrase rules alone answer.
        """
        self.classifier = classifier
        problems = check_phrase_data(data, source)
        if problems:
            raise ContentInvalid(problems)
        compiler = PhraseCompiler(data.get("macros", {}))
        signals: list[Signal] = []
        anchors: set[str] = set()
        always = False
        # Each signal's own anchors (None: always tried), so a message is matched only against
        # the signals it shares a word with.
        own: list[frozenset[str] | None] = []
        for index, entry in enumerate(data["signal"]):
            compiled = [compiler.phrase(p) for p in entry["phrases"]]
            mine: set[str] | None = set()
            for c in compiled:
                mine = None if mine is None or c.anchors is None else mine | c.anchors
            own.append(None if mine is None else frozenset(mine))
            # Modifiers only matter next to another signal, so they never need to pass the pre-check.
            for c in compiled if entry["level"] != "modifier" else ():
                if c.anchors is None:
                    always = True
                else:
                    anchors |= c.anchors
            regex = BOUNDARY_START + "(?:" + "|".join(c.regex for c in compiled) + ")" + BOUNDARY_END
            try:
                pattern = re.compile(regex)
            except re.error as exc:  # pragma: no cover - guarded by check_phrase_data
                raise ContentInvalid([Problem(source, f"signal[{index}]", str(exc))]) from exc
            signals.append(
                Signal(entry["id"], entry["level"], pattern, frozenset(entry.get("escalates", ())))
            )
        self._signals = tuple(signals)
        self._pairs = tuple(zip(signals, own, strict=True))
        self._anchors: frozenset[str] | None = None if always else frozenset(anchors)
        excl = [compiler.phrase(p).regex for p in data.get("exclusions", {}).get("phrases", [])]
        self._exclusions = (
            re.compile(BOUNDARY_START + "(?:" + "|".join(excl) + ")" + BOUNDARY_END + " ?") if excl else None
        )
        context = data.get("context", {})
        self._reported = compile_any(compiler, context.get("reported", []))
        self._third_person = compile_any(compiler, context.get("third_person", []))
        self._past = compile_any(compiler, context.get("past", []))
        self._first_person = frozenset(normalise(w) for w in context.get("first_person", []))

    @classmethod
    def from_file(cls, path: Path, *, classifier: Classifier | None = None) -> Detector:
        """Load and compile a phrases TOML file."""
        return cls(read_toml(path), source=str(path), classifier=classifier)

    @classmethod
    def from_content(cls, root: Path, *, classifier: Classifier | None = None) -> Detector:
        """Load the detector from a content directory (``<root>/crisis/phrases.toml``)."""
        return cls.from_file(root / "crisis" / "phrases.toml", classifier=classifier)

    def detect(self, text: str, *, sensitivity: Sensitivity = "standard") -> Verdict:
        """Return the verdict for one message.

        The rules run first; an urgent hit in the writer's own voice stands. The classifier
        (see :func:`combine`) decides the grey zone at the group's sensitivity, may read a rules
        concern as a false alarm, and says who a message is about (someone else at risk, or
        harassment). Most chat skips it: the rules' word pre-check, then :func:`may_change`
        (whether the classifier could change the rules' verdict at all), then the classifier's
        own first look, a few additions per word.
        """
        norm = normalise(text)
        if not norm:
            return NONE
        if self.classifier is None:
            return self._rules(norm, sensitivity)
        # With the classifier, the sensitivity is its cut-offs: the rules read negations as usual.
        rules = self._rules(norm, "standard")
        third = self._third_person
        names = third is not None and third.search(norm) is not None
        if not may_change(rules, self.classifier, norm, sensitivity, names_someone=names):
            return rules
        return combine(rules, self.classifier, norm, sensitivity, names_someone=names)

    def rules(self, text: str, *, sensitivity: Sensitivity = "standard") -> Verdict:
        """The phrase rules' verdict alone (what the classifier reads as four of its inputs)."""
        norm = normalise(text)
        return self._rules(norm, sensitivity) if norm else NONE

    def _rules(self, norm: str, sensitivity: Sensitivity) -> Verdict:
        # Cheap pre-check: most chat messages share no word with any phrase.
        if self._anchors is not None and "*" not in norm and self._anchors.isdisjoint(norm.split()):
            return NONE
        if self._exclusions is not None:
            norm = self._exclusions.sub("", norm).strip()
        found: dict[str, str] = {}  # signal id -> effective level (or "negated")
        contexts: list[str] = []
        # A censored word ("k*ll") may match a phrase without being one of its anchors.
        present = None if "*" in norm else frozenset(norm.split())
        for signal, own in self._pairs:
            if signal.level == "modifier" or (
                present is not None and own is not None and own.isdisjoint(present)
            ):
                continue
            effective = ""
            for match in signal.pattern.finditer(norm):
                level = signal.level
                if self._negated(norm, match.start()):
                    effective = effective or "negated"
                    continue
                if level == "urgent":
                    why = self._demote_reason(norm, match)
                    if why:
                        contexts.append(why)
                        level = "concern"
                if _RANK.get(level, 0) > _RANK.get(effective, 0):
                    effective = level
            if effective:
                found[signal.id] = effective
        # Modifiers (a time frame, a means word) turn ideation into urgency.
        for signal in self._signals if found else ():
            if signal.level != "modifier" or not any(found.get(s) in _RANK for s in signal.escalates):
                continue
            for match in signal.pattern.finditer(norm):
                if self._negated(norm, match.start()):
                    continue
                why = self._demote_reason(norm, match, modifier=True)
                if why:
                    contexts.append(why)
                    continue
                found[signal.id] = "urgent"
                break
        if sensitivity == "cautious":
            found = {sid: "concern" if lvl == "negated" else lvl for sid, lvl in found.items()}
        if not found:
            return NONE
        verdict: Level = "none"
        for lvl in found.values():
            if lvl == "urgent":
                verdict = "urgent"
            elif lvl == "concern" and verdict == "none":
                verdict = "concern"
        names = [sid if lvl in _RANK else f"negated:{sid}" for sid, lvl in found.items()]
        names += [f"context:{c}" for c in dict.fromkeys(contexts)]
        return Verdict(verdict, tuple(names))

    def _negated(self, norm: str, start: int) -> bool:
        words = norm[:start].split()
        # "no longer" negates too.
        return _negated_at(words, len(words)) or words[-2:] == ["no", "longer"]

    def _demote_reason(self, norm: str, match: re.Match[str], *, modifier: bool = False) -> str:
        # Only the current sentence counts as context for this match.
        clause_start = norm.rfind(" . ", 0, match.start()) + 1
        before = norm[clause_start : match.start()]
        if before.split()[-1:] and before.split()[-1] in _PAST_LEAD:
            return "past"
        if self._reported is not None and self._reported.search(before):
            return "reported"
        clause_end = norm.find(" . ", match.end())
        after = norm[match.end() : None if clause_end < 0 else clause_end]
        if self._past is not None and (self._past.search(before) or self._past.search(after)):
            return "past"
        if (
            not modifier
            and self._third_person is not None
            and self._third_person.search(before)
            and self._first_person.isdisjoint(match.group().split())
        ):
            return "third_person"
        return ""


def validate_phrases(path: Path) -> list[Problem]:
    """Problems in a phrases file (empty when it compiles), for ``content check``."""
    try:
        Detector.from_file(path)
    except ContentInvalid as exc:
        return exc.problems
    return []


# The classifier may add a verdict the rules did not reach only where the text uses a word of
# harm, death, ending, leaving or exhaustion that is not negated just before ("i won't hurt
# myself" does not pass). Without this, the model read "im going to the gym tonight" as a plan
# (the words "going to" and "tonight" are common in the training part's crisis texts). Stems
# match by prefix; the cost is recall on implicit distress with none of these words, measured
# in the README's crisis section.
_HARM_STEMS = tuple(
    normalise(w)
    for w in (
        "die", "died", "dying", "dead", "death", "kill", "kms", "kys", "suicid", "sui", "unaliv",
        "end", "living", "alive", "exist", "wake", "waking", "gone", "goodbye", "bye", "farewell",
        "pill", "overdos", "rope", "noose", "gun", "bridge", "jump", "hang", "cut", "hurt", "harm",
        "bleed", "worthless", "burden", "disappear", "vanish", "forever", "anymore", "attempt",
        "commit", "stupid", "matter", "deserve", "point", "fight", "giv", "away", "tired", "sleep",
        "breath", "nobody", "escape", "done", "over", "quit", "last", "final", "letter", "note",
        "countdown", "week", "days", "goodnight", "rest",
    )
)  # fmt: skip


def _negated_at(words: list[str], index: int) -> bool:
    for before in reversed(words[max(0, index - _NEGATION_REACH) : index]):
        if before in _NEGATION_STOPS:
            return False
        if before in _NEGATORS:
            return True
    return False


def speaks_of_harm(norm: str) -> bool:
    """True when ``norm`` (normalised) holds a harm word not negated just before it."""
    return _harm_in(norm.split())


@functools.lru_cache(maxsize=WORD_CACHE)
def _is_harm_word(word: str) -> bool:
    """Whether a word starts with a harm stem, remembered (words, never messages)."""
    return word.startswith(_HARM_STEMS)


def _harm_in(words: list[str]) -> bool:
    return any(_is_harm_word(word) and not _negated_at(words, index) for index, word in enumerate(words))


def could_add(norm: str) -> bool:
    """Whether the classifier could change a rules-none verdict on ``norm`` without a person
    named: only with a harm word (a crisis) or a word said to someone (harassment)."""
    split = norm.split()
    return not _ADDRESSED.isdisjoint(split) or _harm_in(split)


def may_change(
    rules: Verdict, classifier: Classifier, norm: str, sensitivity: Sensitivity, *, names_someone: bool
) -> bool:
    """False where :func:`combine` provably returns ``rules`` unchanged, so the classifier is
    skipped: an urgent hit in the writer's own voice; a concern or nothing with no word said to
    someone and no person named, unless the classifier could add (a harm word, with a reachable
    cut-off) or overrule (a keep cut-off above 0); a negation the rules read, at standard. A
    test checks on the training part and the regression suite that skipping changes nothing."""
    if rules.level == "urgent":
        return names_someone and any(s in rules.signals for s in ("context:third_person", "context:reported"))
    negated = any(s.startswith("negated:") for s in rules.signals)
    if rules.level == "none" and sensitivity == "standard" and negated:
        return False
    split = norm.split()
    if names_someone or not _ADDRESSED.isdisjoint(split):
        return True
    cut = classifier.thresholds
    if rules.level == "concern":
        return cut.keeps(sensitivity) > 0.0
    if cut.cut(sensitivity, harm_word=False) <= 1.0:
        return True
    return cut.cut(sensitivity, harm_word=True) <= 1.0 and _harm_in(split)


# Harassment is said to someone: without one of these words the classifier's "harassment" is
# a misreading ("that joke killed me").
_ADDRESSED = frozenset(
    normalise(w) for w in ["you", "u", "ur", "youre", "yourself", "urself", "ya", "yall", "your", "yours"]
)


def combine(
    rules: Verdict, classifier: Classifier, norm: str, sensitivity: Sensitivity, *, names_someone: bool = True
) -> Verdict:
    """The final verdict from the rules' and the classifier's views of one message.

    An urgent rules hit in the writer's own voice (explicit intent, a plan, a means) always
    stands. A concern the rules found stands unless the classifier reads it as a false alarm
    (crisis probability under ``keep``; the shipped cut-off is 0: never). Where the rules found
    nothing the classifier decides at the group's sensitivity, with a stricter cut-off when no
    word of harm is used; a negation the rules read stands at standard and is weighed at
    cautious. It also says who a message is about:
    "harassment" needs a word said to someone, "someone else at risk" needs a person named
    (``names_someone``), and neither is ever urgent.
    """
    p = classifier.probabilities(norm, rule_features(rules.level, rules.signals))
    if p is None:
        return rules
    cut = classifier.thresholds
    crisis = p[1] + p[2]
    harassment = p[4] >= cut.harassment and p[4] > crisis and not _ADDRESSED.isdisjoint(norm.split())
    # Someone else at risk is a concern, never urgent: the reply is how to help, the alert
    # says "about someone else", and a news story or a film stays out of the urgent queue.
    other = names_someone and p[3] >= cut.other and p[3] > crisis
    if rules.level != "none":
        reported = any(s in rules.signals for s in ("context:third_person", "context:reported"))
        if harassment and rules.level == "concern":
            return Verdict("concern", rules.signals, about="harassment")
        if other and (reported or rules.level == "concern"):
            return Verdict("concern", rules.signals, about="other")
        if rules.level == "concern" and crisis < cut.keeps(sensitivity):
            kept = tuple(s if s.startswith(_QUIET) else f"overruled:{s}" for s in rules.signals)
            return Verdict("none", (*kept, "model:none"))
        return rules
    if sensitivity == "standard" and any(s.startswith("negated:") for s in rules.signals):
        return rules  # "i'm not suicidal, just tired": at standard a negation the rules read stands
    signals = (*rules.signals, f"model:{CLASSES[p.index(max(p))]}")
    if harassment:
        return Verdict("concern", signals, about="harassment")
    if other:
        return Verdict("concern", signals, about="other")
    if crisis >= cut.cut(sensitivity, harm_word=speaks_of_harm(norm)):
        return Verdict("urgent" if p[2] > p[1] else "concern", signals)
    return rules


@functools.cache
def shipped_rules() -> Detector:
    """The shipped phrase rules alone (``content/crisis/phrases.toml``), compiled once."""
    return Detector.from_content(SHIPPED_CONTENT)


@functools.cache
def shipped_detector() -> Detector:
    """The shipped detector: the phrase rules and the committed classifier, loaded once.

    A missing or damaged classifier file raises :class:`ModelError` naming it: the bot must not
    run with crisis detection quietly reduced.
    """
    return Detector.from_content(SHIPPED_CONTENT, classifier=shipped_classifier())


def detect(text: str, *, sensitivity: Sensitivity = "standard") -> Verdict:
    """Classify one message with the shipped detector: ``none``, ``concern`` or ``urgent``."""
    return shipped_detector().detect(text, sensitivity=sensitivity)
