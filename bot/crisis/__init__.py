"""Crisis support: detecting crisis language and the helplines to offer (pure, no Discord)."""

from __future__ import annotations

from bot.crisis.detect import Detector, Verdict, detect

__all__ = ["Detector", "Verdict", "detect"]
