"""crisis_messages_per_s: how many typical chat messages the crisis detector classifies per second."""

from __future__ import annotations

import time

from bot.crisis.detect import Detector, shipped_detector

BASELINE = 20_000  # messages/s on one core, from issue 6

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


def run(seconds: float = 1.0) -> list[dict[str, object]]:
    """Measure detection throughput on one core; best of three runs of ``seconds`` each."""
    detector = shipped_detector()
    _measure(detector, TYPICAL_MESSAGES, 0.1)  # warm-up: compile and cache
    value = max(_measure(detector, TYPICAL_MESSAGES, seconds) for _ in range(3))
    return [
        {
            "metric": "crisis_messages_per_s",
            "value": round(value),
            "unit": "messages/s",
            "baseline": BASELINE,
            "ratio": value / BASELINE,
        }
    ]
