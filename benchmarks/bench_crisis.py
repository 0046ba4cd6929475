"""The crisis detector: how well it reads the frozen test split, and how fast and small it is.

- ``crisis_recall``, ``crisis_recall_urgent``, ``crisis_fpr_idiom``, ``crisis_fpr_chat`` (and the
  someone-else and harassment rates), scored on the corpus's test part, which tuning never
  read; each line carries the phrase rules' figure from the same run as its baseline.
- ``crisis_messages_per_s``: typical chat messages classified per second on one core; baseline:
  the phrase rules alone, same messages, same run (``goal``: issue 6's 20,000 a second).
- ``crisis_model_rss_mb``: what loading the classifier adds to the process's memory; baseline: the
  resident memory of that same process before, holding the rules (``goal``: at most 60 MB added).

Detection reads no clock (``start`` is accepted and unused). Tiny: 40 texts, 0.02 s per rate.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime

from benchmarks import result
from bot.crisis.corpus import test_part
from bot.crisis.detect import Detector, shipped_detector, shipped_rules
from bot.crisis.score import score

GOAL_PER_S = 20_000  # messages/s on one core, from issue 6
GOAL_ADDED_MB = 60

# Typical group-chat traffic: mostly everyday messages, a few idioms, the odd signal.
TYPICAL_MESSAGES = [
    "good morning everyone!",
    "how was everyone's week?",
    "I did my breathing exercise today and it helped a lot",
    "thanks for listening yesterday, it meant a lot to me",
    "I'm feeling a bit anxious about my exam on Thursday",
    "had a rough day at work but I'm okay now",
    "can someone remind me when the next session is?",
    "I made myself dinner for the first time in weeks 🍝",
    "this homework is killing me lol",
    "lol same",
    "sending hugs to everyone 💛",
    "does anyone have tips for sleeping better? I keep waking up at 3am",
    "I'm dying to see the new movie this weekend",
    "I finally told my therapist about my panic attacks and she was really kind about it",
    "my dog is the best thing in my life honestly",
    "I'm so tired today, work was a lot",
    "I want to get better at saying no to people",
    "**reminder**: check-in thread is up, share one good thing from today",
    "I took 2 ibuprofen for my headache",
    "I want to die",
]


def _measure(detector: Detector, messages: list[str], seconds: float) -> float:
    count = 0
    detect = detector.detect
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for message in messages:
            detect(message)
        count += len(messages)
        now = time.perf_counter()
        if now >= deadline:
            return count / (now - started)


RATES = (
    "crisis_recall",
    "crisis_recall_urgent",
    "crisis_fpr_idiom",
    "crisis_fpr_chat",
    "other_recall",
    "harassment_recall",
)
# Resident memory (VmRSS, not the peak: the peak hides what reuses freed pages) before and
# after the classifier and its embeddings load, in a fresh process that already holds the rules.
_RSS_PROBE = (
    "import re; from bot.crisis.detect import shipped_rules; shipped_rules().detect('x');"
    "rss = lambda: int(re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1));"
    "before = rss();"
    "from bot.crisis.detect import shipped_detector; shipped_detector().detect('i want to die so tired');"
    "print(before / 1024, rss() / 1024)"
)


def quality(limit: int | None = None) -> list[dict[str, object]]:
    """The rates on the test part, for each sensitivity, beside the rules alone."""
    examples = test_part()[:limit]
    rules = score(shipped_rules(), examples)
    lines: list[dict[str, object]] = []
    for sensitivity in ("standard", "cautious"):
        ours = score(shipped_detector(), examples, sensitivity)
        for name in RATES:
            metric = name if sensitivity == "standard" else f"{name}_cautious"
            line = result(metric, ours.get(name, 0.0), "rate", rules.get(name, 0.0))
            line["baseline_of"] = "the phrase rules alone, same texts, same run"
            line["texts"] = len(examples)
            lines.append(line)
    return lines


def model_rss_mb() -> tuple[float, float]:
    """(resident MB before, MB the classifier adds), measured in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _RSS_PROBE], capture_output=True, text=True, check=True)
    before, after = (float(word) for word in out.stdout.split())
    return before, after - before


def run(
    seconds: float = 1.0, limit: int | None = None, *, tiny: bool = False, start: datetime | None = None
) -> list[dict[str, object]]:
    """Throughput (best of three runs of ``seconds``), memory, and the rates on the test part."""
    if tiny:
        seconds, limit = 0.02, 40
    detector = shipped_detector()
    rules = shipped_rules()
    _measure(detector, TYPICAL_MESSAGES, min(seconds, 0.1))  # warm-up: compile and cache
    value = max(_measure(detector, TYPICAL_MESSAGES, seconds) for _ in range(3))
    rules_rate = max(_measure(rules, TYPICAL_MESSAGES, seconds) for _ in range(3))
    before_mb, added_mb = model_rss_mb()
    speed = result("crisis_messages_per_s", value, "messages/s", rules_rate)
    speed["value"], speed["baseline"] = round(value), round(rules_rate)
    speed["baseline_of"] = "the phrase rules alone, same messages, same run"
    speed["goal"] = GOAL_PER_S
    memory = result("crisis_model_rss_mb", added_mb, "MB", before_mb)
    memory["value"], memory["baseline"] = round(added_mb, 1), round(before_mb, 1)
    memory["baseline_of"] = "the same process before the classifier loaded (rules loaded)"
    memory["goal"] = GOAL_ADDED_MB
    return [speed, memory, *quality(limit)]
