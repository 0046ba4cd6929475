"""A member's data as a JSON document and a readable summary (pure: rows in, text out)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.core.crypto import ENCRYPTED_COLUMNS
from bot.db import Row
from bot.privacy.erase import area

EXPLAIN = (
    "This is everything Resilience Bot stores about you in this group. Messages you posted in "
    "channels are not included: they belong to the channel and you can edit or delete them in "
    "Discord. Ids are Discord ids; times are UTC."
)


def reveal_rows(tables: Mapping[str, Sequence[Row]], reveal: Callable[[Any], Any]) -> dict[str, list[Row]]:
    """Decrypt the registered encrypted columns so the member reads their own words."""
    encrypted = {(t, c) for t, c in ENCRYPTED_COLUMNS}
    result: dict[str, list[Row]] = {}
    for table, rows in tables.items():
        result[table] = [
            {k: reveal(v) if (table, k) in encrypted else v for k, v in row.items()} for row in rows
        ]
    return result


def export_document(
    guild_id: int, guild_name: str, user_id: int, tables: Mapping[str, Sequence[Row]], now: datetime
) -> dict[str, Any]:
    return {
        "about": EXPLAIN,
        "group": {"id": str(guild_id), "name": guild_name},
        "member_id": str(user_id),
        "exported_at": now.isoformat(),
        "tables": {table: list(rows) for table, rows in sorted(tables.items())},
    }


def export_json(document: Mapping[str, Any]) -> str:
    # Ids as numbers would lose precision in JavaScript readers; they stay as they are in rows.
    return json.dumps(document, ensure_ascii=False, indent=2, default=str)


def export_summary(guild_name: str, tables: Mapping[str, Sequence[Row]], now: datetime) -> str:
    """Plain text: one section per area, one line per row."""
    lines = [f"Your data in {guild_name}", f"Exported {now:%Y-%m-%d %H:%M} UTC", "", EXPLAIN, ""]
    if not tables:
        lines.append("Nothing is stored about you in this group.")
    for table, rows in sorted(tables.items()):
        lines.append(f"== {area(table).capitalize()} ({len(rows)}) ==")
        for row in rows:
            shown = [
                f"{k}: {v}"
                for k, v in row.items()
                if k not in {"guild_id", "user_id"} and v not in (None, "")
            ]
            lines.append("- " + "; ".join(shown))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
