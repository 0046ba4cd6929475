"""The house rules that a reader relies on and a linter cannot see (ARCHITECTURE.md)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 450
# Pure data tables, long by nature: none today. A file listed here holds data, not logic.
DATA_TABLES: set[str] = set()
FEATURES = ("checkins", "skills", "pairs", "crisis", "safetyplan", "community", "privacy")


def test_no_source_file_is_over_the_limit() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in ("bot", "cogs")
        for path in (ROOT / folder).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
        and str(path.relative_to(ROOT)) not in DATA_TABLES
    }
    assert long == {}, f"split these by responsibility (limit {MAX_LINES} lines): {long}"


def test_every_feature_has_one_home_on_each_side() -> None:
    """cogs/<feature>/ (its Discord face) and bot/<feature>/ (its logic and SQL), one hop apart."""
    for feature in FEATURES:
        assert (ROOT / "bot" / feature / "__init__.py").exists(), f"bot/{feature}/ is missing"
    for package in (ROOT / "cogs").iterdir():
        init = package / "__init__.py"
        if not init.exists():
            continue
        # __init__.py holds only setup: the feature's parts live in named modules beside it.
        text = init.read_text(encoding="utf-8")
        assert "async def setup(" in text, f"{init.relative_to(ROOT)} has no setup"
        assert "class " not in text, f"{init.relative_to(ROOT)} should hold only setup"
