"""The crisis phrase rules' two halves that know nothing of verdicts: how a message is
normalised before matching, and the small phrase language of ``content/crisis/phrases.toml``
(compiling it, and checking a phrases file, with errors that name the file and field).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.problems import Problem

# --- normalisation -----------------------------------------------------------------------

# Invisible characters people (or spam tools) put inside words to dodge filters.
_ZERO_WIDTH = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
)
# Look-alike letters from Cyrillic and Greek that NFKC leaves alone (lower case: applied after
# casefold). Only letters that look like a Latin letter in common fonts.
_LOOKALIKES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
    "ӏ": "l", "ԛ": "q", "ԝ": "w", "ɡ": "g", "ı": "i",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ς": "s", "σ": "o",
}  # fmt: skip
_TRANSLATE: dict[int, str | None] = {ord(c): None for c in _ZERO_WIDTH}
_TRANSLATE.update({ord(k): v for k, v in _LOOKALIKES.items()})
_TRANSLATE.update({ord("’"): "'", ord("‘"): "'", ord("ʼ"): "'", ord("`"): " ", ord("💊"): " pillemoji "})

_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
# Leetspeak only inside a word (letter on both sides), so "30 pills" and "500mg" keep their digits.
_LEET_RE = re.compile(r"(?<=[a-z])[013457@$!|]+(?=[a-z])")
_LEET_CHARS = re.compile(r"[013457@$!|]")
_LEET = str.maketrans("013457@$!|", "oieastasii")
# Censoring inside a word ("k*ll", "s#icide") is kept as "*", which the patterns accept for a vowel.
_CENSOR_RE = re.compile(r"(?<=[^\W\d_])[*#]+(?=[^\W\d_])")
_APOSTROPHE_RE = re.compile(r"(?<=\w)'(?=\w)")
# An ellipsis is a pause inside a thought ("I... want... to... die"), not a sentence end.
_ELLIPSIS_RE = re.compile(r"\.{2,}|…")
_CLAUSE_RE = re.compile(r"[.!?;:\n]+")
# Anything that is not part of a word, a censor star, a comma or a clause mark separates words.
_SEPARATOR_RE = re.compile(r"(?:[^\w*,.]|_)+")
_MARKDOWN_STAR_RE = re.compile(r"(?<![\w*])\*+|\*+(?![\w*])")
_COMMA_RE = re.compile(r",+")
# Repeated letters are squashed to one, in the text and in the phrases alike, so "killll",
# "kil" and "kill" all meet; digits are left alone because counts matter.
_REPEAT_RE = re.compile(r"([^\W\d_])\1+")


def normalise(text: str) -> str:
    """Return the matching form of ``text``.

    Steps, each for a reason: NFKD and dropped combining marks (fancy fonts, "zalgo",
    accents); casefold; zero-width characters removed and look-alike letters mapped; leetspeak
    and censoring inside words; markdown (spoilers, code, bold) and punctuation reduced to
    single spaces, keeping commas and clause ends as their own tokens; apostrophes dropped so
    "I'm" and "im" meet; repeated letters squashed.
    """
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    text = text.casefold().translate(_TRANSLATE)
    if _LEET_CHARS.search(text):
        text = _LEET_RE.sub(lambda m: m.group().translate(_LEET), text)
    if "*" in text or "#" in text:
        text = _CENSOR_RE.sub(lambda m: "*" * len(m.group()), text)
        text = _MARKDOWN_STAR_RE.sub(" ", text)
    if "'" in text:
        text = _APOSTROPHE_RE.sub("", text)
    if ".." in text or "…" in text:
        text = _ELLIPSIS_RE.sub(" ", text)
    text = _CLAUSE_RE.sub(" . ", text)
    if "," in text:
        text = _COMMA_RE.sub(" , ", text)
    # The separators, then repeated letters word by word (a run never spans a space); how many
    # spaces a separator leaves does not matter, the words are joined by one.
    text = text.translate(_ASCII_SEPARATORS) if text.isascii() else _SEPARATOR_RE.sub(" ", text)
    return " ".join([_squash(w) for w in text.split()])


# On ASCII text, what _SEPARATOR_RE replaces (not a letter, digit, "*", "," or "."; or "_"),
# as a translation table: a third of the time of the regular expression.
_ASCII_SEPARATORS = {code: " " for code in range(128) if not (chr(code).isalnum() or chr(code) in "*,.")}
WORD_CACHE = 50_000  # words remembered by the per-word caches (a word, never a message)


@functools.lru_cache(maxsize=WORD_CACHE)
def _squash(word: str) -> str:
    """A word with repeated letters squashed, remembered: chat reuses words."""
    return _REPEAT_RE.sub(r"\1", word)


# --- the phrase language -----------------------------------------------------------------
# A phrase is words separated by spaces. A word may be "a|b|c" (any of them), end in "?"
# (optional), be "{macro}" (any phrase listed under that macro), "~" (up to three other
# words) or "#" (a number, in digits or words). Words are normalised like messages are.

_SEP = r"(?: ,)? "
_WORD = r"[\w*]+"
_NUMBER_WORDS = (
    "a an one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
    "forty fifty sixty seventy eighty ninety hundred dozen few couple bunch handful lot"
)
_VOWELS = frozenset("aeiouy")
BOUNDARY_START = r"(?<![\w*])"
BOUNDARY_END = r"(?![\w*])"


# Everyday words that make poor anchors for the pre-check.
_COMMON_WORDS = frozenset(
    normalise(w)
    for line in (
        "i im ive ill id me my myself you your we he she it they a an the to 2 of in on at for with and or",
        "but is are was be been have has had do dont not no this that so just want wana will would",
        "can cant could should about how what whats time life everyone anyone one next best better",
        "today tonight tomorrow feel feeling going gona get got take took make made",
    )
    for w in line.split(" ")
)


class PhraseError(ValueError):
    """A phrase in the data that cannot be compiled."""


def _literal(word: str) -> str:
    """Regex for one literal word: vowels may be censored as '*'."""
    return "".join(f"[{c}*]" if c in _VOWELS else re.escape(c) for c in word)


@dataclass(slots=True)
class _Compiled:
    regex: str
    # Words of which at least one must appear in a message for this phrase to match; None
    # when no such set can be named (the phrase is then always tried).
    anchors: frozenset[str] | None


class PhraseCompiler:
    def __init__(self, macros: Mapping[str, list[str]]) -> None:
        self._macros = macros
        self._cache: dict[str, _Compiled] = {}
        self._expanding: set[str] = set()

    def macro(self, name: str) -> _Compiled:
        if name in self._cache:
            return self._cache[name]
        if name not in self._macros:
            raise PhraseError(f"unknown macro {{{name}}}")
        if name in self._expanding:
            raise PhraseError(f"macro {{{name}}} refers to itself")
        self._expanding.add(name)
        try:
            parts = [self.phrase(p) for p in self._macros[name]]
        finally:
            self._expanding.discard(name)
        anchors: frozenset[str] | None = frozenset()
        for part in parts:
            anchors = None if anchors is None or part.anchors is None else anchors | part.anchors
        compiled = _Compiled("(?:" + "|".join(p.regex for p in parts) + ")", anchors)
        self._cache[name] = compiled
        return compiled

    def _word(self, word: str) -> tuple[str, frozenset[str] | None]:
        if word == "~":
            return "", None  # placed by phrase(), which knows which side the separator goes
        if word == "##":
            # Ten or more, in digits; "x30" and "30x" too (a count next to a pill emoji).
            return r"x?\d{2,}x?", None
        if word == "#":
            words = "|".join(_literal(normalise(w)) for w in _NUMBER_WORDS.split())
            return rf"(?:\d+|{words})", None
        if word.startswith("{") and word.endswith("}"):
            compiled = self.macro(word[1:-1])
            return compiled.regex, compiled.anchors
        alternatives = [normalise(a) for a in word.split("|")]
        if any(not a or " " in a for a in alternatives):
            raise PhraseError(f"word {word!r} must be one word per alternative")
        return "(?:" + "|".join(_literal(a) for a in alternatives) + ")", frozenset(alternatives)

    def phrase(self, text: str) -> _Compiled:
        words = text.split()
        if not words:
            raise PhraseError("empty phrase")
        parsed: list[tuple[str, bool, frozenset[str] | None, bool]] = []  # regex, optional, anchors, gap
        for raw in words:
            optional = raw.endswith("?") and len(raw) > 1
            regex, anchors = self._word(raw[:-1] if optional else raw)
            parsed.append((regex, optional, None if optional else anchors, raw == "~"))
        required = [i for i, (_, optional, _, gap) in enumerate(parsed) if not optional and not gap]
        if not required:
            raise PhraseError("a phrase needs at least one required word")
        last = required[-1]
        pieces: list[str] = []
        # Words up to the last required one carry a trailing separator, words after it a leading
        # one, so optional words and gaps anywhere never leave a doubled or missing space.
        for index, (regex, optional, _, gap) in enumerate(parsed):
            if index == last:
                pieces.append(regex)
            elif gap:
                pieces.append(rf"(?:{_WORD}{_SEP}){{0,3}}" if index < last else rf"(?:{_SEP}{_WORD}){{0,3}}")
            else:
                body = f"{regex}{_SEP}" if index < last else f"{_SEP}{regex}"
                pieces.append(f"(?:{body})?" if optional else body)
        anchor_choices = [a for _, _, a, _ in parsed if a is not None]
        # The rarest-looking required word makes the best anchor: fewest everyday words, then
        # the longest shortest spelling. Rare anchors let the pre-check skip most messages.
        best = min(
            anchor_choices, key=lambda a: (len(a & _COMMON_WORDS), -min(len(w) for w in a)), default=None
        )
        return _Compiled("".join(pieces), best)


# --- the detector -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signal:
    id: str
    level: str  # "concern", "urgent" or "modifier"
    pattern: re.Pattern[str]
    escalates: frozenset[str] = field(default_factory=frozenset)


def compile_any(compiler: PhraseCompiler, phrases: Iterable[str]) -> re.Pattern[str] | None:
    regexes = [compiler.phrase(p).regex for p in phrases]
    if not regexes:
        return None
    return re.compile(BOUNDARY_START + "(?:" + "|".join(regexes) + ")" + BOUNDARY_END)


def check_phrase_data(data: Mapping[str, Any], source: str) -> list[Problem]:
    """Every problem in a parsed phrases file, one per field."""
    problems: list[Problem] = []
    macros = data.get("macros", {})
    if not isinstance(macros, dict) or not all(
        isinstance(v, list) and all(isinstance(p, str) for p in v) for v in macros.values()
    ):
        problems.append(Problem(source, "macros", "each macro must be a list of phrases"))
        macros = {}
    compiler = PhraseCompiler(macros)
    signals = data.get("signal")
    if not isinstance(signals, list) or not signals:
        return [*problems, Problem(source, "signal", "at least one [[signal]] is required")]
    ids: set[str] = set()
    for index, entry in enumerate(signals):
        where = f"signal[{index}]"
        if not isinstance(entry, dict):
            problems.append(Problem(source, where, "must be a table"))
            continue
        sid = entry.get("id")
        if not isinstance(sid, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", sid):
            problems.append(Problem(source, f"{where}.id", "must be a lower-case identifier"))
        elif sid in ids:
            problems.append(Problem(source, f"{where}.id", f"duplicate id {sid!r}"))
        else:
            ids.add(sid)
        if entry.get("level") not in ("concern", "urgent", "modifier"):
            problems.append(Problem(source, f"{where}.level", "must be concern, urgent or modifier"))
        phrases = entry.get("phrases")
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) for p in phrases):
            problems.append(Problem(source, f"{where}.phrases", "must be a non-empty list of strings"))
            continue
        for pindex, phrase in enumerate(phrases):
            try:
                re.compile(compiler.phrase(phrase).regex)
            except (PhraseError, re.error) as exc:
                problems.append(Problem(source, f"{where}.phrases[{pindex}]", f"{phrase!r}: {exc}"))
    for index, entry in enumerate(signals):
        if isinstance(entry, dict):
            for target in entry.get("escalates", []):
                if target not in ids:
                    problems.append(
                        Problem(source, f"signal[{index}].escalates", f"unknown signal {target!r}")
                    )
    return problems
