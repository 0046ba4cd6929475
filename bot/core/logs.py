"""How the bot's logs are written: a readable line, or one JSON object per line (``LOG_FORMAT``).

The standard library's ``logging`` does the work; a small :class:`JsonFormatter` is all JSON
needs (a field for each part of the record), so no logging library is added. What is logged is
the same in both formats, and never holds a message's text, a note, a goal or a safety-plan
field: log calls name guilds, kinds and outcomes only.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Literal

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One line of JSON per record: time (UTC, ISO 8601), level, logger, message, and the error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter(kind: Literal["text", "json"]) -> logging.Formatter:
    return JsonFormatter() if kind == "json" else logging.Formatter(TEXT_FORMAT)


def setup_logging(level: int, kind: Literal["text", "json"] = "text") -> None:
    """Configure the root logger once, for the CLI's commands."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter(kind))
    logging.basicConfig(level=level, handlers=[handler])
    # discord.py's DEBUG logs include gateway payloads (message text): never that verbose.
    logging.getLogger("discord").setLevel(max(level, logging.INFO))
    # The bot never joins voice: "PyNaCl is not installed, voice will NOT be supported" at every
    # start would only worry an operator.
    logging.getLogger("discord.client").addFilter(_not_about_voice)


def _not_about_voice(record: logging.LogRecord) -> bool:
    return "voice will NOT be supported" not in record.getMessage()
