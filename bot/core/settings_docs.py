"""``.env.example`` and the README's configuration table, generated from :class:`Settings` itself.

Both list every setting with its default and its description, so neither can drift from the code
(a test compares the committed files with what this module makes). After changing a setting::

    python -m bot.core.settings_docs          # rewrites .env.example and README.md's table
    python -m bot.core.settings_docs --check  # exit 1 if either is out of date
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo

from bot.core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"
README = ROOT / "README.md"
TABLE_START = "<!-- settings-table:start -->"
TABLE_END = "<!-- settings-table:end -->"

ENV_HEADER = """\
# Copy to .env and fill in. Every setting can also be an environment variable.
# Only DISCORD_TOKEN and ENCRYPTION_KEY need filling in to connect; each "# NAME=value" line shows
# the default: remove the "# " to change it.
# Generated from bot/core/settings.py by `python -m bot.core.settings_docs`: edit the descriptions there.
"""


@dataclass(frozen=True, slots=True)
class SettingDoc:
    """One setting as the documentation shows it."""

    name: str  # the environment variable
    example: str  # its default, as written in .env
    shown: str  # its default, as the README's table shows it
    description: str
    fill_in: bool  # uncommented in .env.example: the operator fills it in


def _extra(info: FieldInfo) -> dict[str, Any]:
    extra = info.json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


def _as_env(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Path):
        return value.as_posix()
    if isinstance(value, frozenset | set | tuple | list):
        return ",".join(str(v) for v in sorted(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def setting_docs() -> list[SettingDoc]:
    """Every setting, in the order :class:`Settings` declares them."""
    docs = []
    for field, info in Settings.model_fields.items():
        extra = _extra(info)
        if not info.description:
            raise ValueError(f"{field.upper()}: needs a description (it is the documentation)")
        example = str(extra.get("example", _as_env(info.default)))
        shown = str(extra.get("shown", f"`{example}`" if example else "*(empty)*"))
        docs.append(
            SettingDoc(
                name=field.upper(),
                example=example,
                shown=shown,
                description=info.description,
                fill_in=bool(extra.get("fill_in", False)),
            )
        )
    return docs


def env_example() -> str:
    """The text of ``.env.example``."""
    parts = [ENV_HEADER]
    for doc in setting_docs():
        comment = textwrap.wrap(doc.description, width=98, break_on_hyphens=False)
        line = f"{doc.name}={doc.example}" if doc.fill_in else f"# {doc.name}={doc.example}"
        parts.append("\n".join([*(f"# {c}" for c in comment), line]) + "\n")
    return "\n".join(parts)


def readme_table() -> str:
    """The README's configuration table (Markdown), without the marker comments."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for doc in setting_docs():
        meaning = doc.description.replace("|", "\\|")
        rows.append(f"| `{doc.name}` | {doc.shown} | {meaning} |")
    return "\n".join(rows) + "\n"


def readme_with_table(readme: str) -> str:
    """``readme`` with the text between the settings-table markers replaced by the table."""
    try:
        before, rest = readme.split(TABLE_START, 1)
        _, after = rest.split(TABLE_END, 1)
    except ValueError:
        raise ValueError(f"README.md: the markers {TABLE_START} and {TABLE_END} are missing") from None
    return f"{before}{TABLE_START}\n{readme_table()}{TABLE_END}{after}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.core.settings_docs",
        description="Write .env.example and README.md's configuration table from the Settings class.",
    )
    parser.add_argument("--check", action="store_true", help="only report whether they are up to date")
    args = parser.parse_args(argv)
    wanted = {
        ENV_EXAMPLE: env_example(),
        README: readme_with_table(README.read_text(encoding="utf-8")),
    }
    stale = [path for path, text in wanted.items() if path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path.name} is out of date: run python -m bot.core.settings_docs", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
