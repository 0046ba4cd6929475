"""Shared checks for the fuzz suite: what every payload the bot sends must respect."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.core.bot import ResilienceBot

CONTENT_LIMIT = 2000
EMBEDS_PER_MESSAGE = 10
EMBED_TOTAL = 6000
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELD_LIMITS = {"name": 256, "value": 1024}
CUSTOM_ID_LIMIT = 100
BUTTON_LABEL_LIMIT = 80
SELECT_OPTIONS_LIMIT = 25
MODAL_TITLE_LIMIT = 45
MODAL_TOP_LEVEL = 5
TEXT_INPUT_LIMIT = 4000
MASS_MENTIONS = ("@everyone", "@here")


async def snapshot(bot: ResilienceBot) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its rows, in a stable order."""
    result: dict[str, tuple[int, str]] = {}
    for table in await bot.db.table_names():  # type: ignore[attr-defined]
        quoted = '"' + table.replace('"', '""') + '"'
        rows = await bot.db.fetch_all(f"SELECT * FROM {quoted}")
        encoded = sorted(json.dumps(r, sort_keys=True, default=repr) for r in rows)
        digest = hashlib.sha256("\n".join(encoded).encode()).hexdigest()
        result[table] = (len(rows), digest)
    return result


def payload_messages(entry: Any) -> list[dict[str, Any]]:
    """The message-shaped bodies in one logged REST request (callbacks nest theirs in ``data``)."""
    body = entry.json
    if isinstance(body, dict) and isinstance(body.get("payload_json"), str):
        body = json.loads(body["payload_json"])
    if not isinstance(body, dict):
        return []
    if "/callback" in entry.path:
        data = body.get("data")
        return [data] if isinstance(data, dict) else []
    return [body]


def _embed_size(embed: dict[str, Any]) -> int:
    size = len(embed.get("title") or "") + len(embed.get("description") or "")
    size += len((embed.get("footer") or {}).get("text") or "")
    size += len((embed.get("author") or {}).get("name") or "")
    for field in embed.get("fields") or []:
        size += len(field.get("name") or "") + len(field.get("value") or "")
    return size


def _walk_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for component in components:
        found.append(component)
        found.extend(_walk_components(component.get("components") or []))
        if isinstance(component.get("component"), dict):
            found.extend(_walk_components([component["component"]]))
    return found


def limit_problems(message: dict[str, Any]) -> list[str]:
    """What in one outgoing message or modal breaks Discord's limits (empty when fine)."""
    problems = []
    content = message.get("content") or ""
    if len(content) > CONTENT_LIMIT:
        problems.append(f"content is {len(content)} characters")
    embeds = message.get("embeds") or []
    if len(embeds) > EMBEDS_PER_MESSAGE:
        problems.append(f"{len(embeds)} embeds")
    total = 0
    for embed in embeds:
        for key, limit in EMBED_LIMITS.items():
            if len(embed.get(key) or "") > limit:
                problems.append(f"embed {key} is {len(embed.get(key) or '')} characters")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append(f"embed has {len(fields)} fields")
        for field in fields:
            for key, limit in FIELD_LIMITS.items():
                if len(field.get(key) or "") > limit:
                    problems.append(f"embed field {key} is {len(field.get(key) or '')} characters")
        total += _embed_size(embed)
    if total > EMBED_TOTAL:
        problems.append(f"embeds total {total} characters")
    if "title" in message and "custom_id" in message:  # a modal
        if len(message["title"]) > MODAL_TITLE_LIMIT:
            problems.append(f"modal title is {len(message['title'])} characters")
        if len(message.get("components") or []) > MODAL_TOP_LEVEL:
            problems.append("modal has more than 5 top-level components")
    top = message.get("components") or []
    if not message.get("flags", 0) & (1 << 15) and "title" not in message and len(top) > 5:
        problems.append(f"{len(top)} action rows")
    for component in _walk_components(top):
        custom_id = component.get("custom_id") or ""
        if len(custom_id) > CUSTOM_ID_LIMIT:
            problems.append(f"custom_id of {len(custom_id)} characters")
        if component.get("type") == 1 and len(component.get("components") or []) > 5:
            problems.append("an action row with more than 5 components")
        if component.get("type") == 2 and len(component.get("label") or "") > BUTTON_LABEL_LIMIT:
            problems.append("a button label over 80 characters")
        options = component.get("options")
        if component.get("type") == 3 and options is not None:
            if len(options) > SELECT_OPTIONS_LIMIT:
                problems.append(f"a select with {len(options)} options")
            for option in options:
                if len(option.get("label") or "") > 100 or len(option.get("value") or "") > 100:
                    problems.append("a select option over 100 characters")
                if len(option.get("description") or "") > 100:
                    problems.append("a select option description over 100 characters")
        if component.get("type") == 4:
            if len(component.get("value") or "") > TEXT_INPUT_LIMIT:
                problems.append("a text input prefilled over 4,000 characters")
            if (component.get("max_length") or 0) > TEXT_INPUT_LIMIT:
                problems.append("a text input max_length over 4,000")
        if component.get("type") == 10 and len(component.get("content") or "") > 4000:
            problems.append("a text display over 4,000 characters")
    return problems


def mention_problems(message: dict[str, Any], *, role_pings_allowed: bool = False) -> list[str]:
    """A message that could ping @everyone/@here or a role it should not."""
    problems = []
    content = message.get("content") or ""
    allowed = message.get("allowed_mentions")
    if allowed is not None:
        parse = allowed.get("parse") or []
        if "everyone" in parse:
            problems.append("allowed_mentions parses @everyone")
        if not role_pings_allowed and ("roles" in parse or allowed.get("roles")):
            problems.append(f"allowed_mentions allows role pings: {allowed!r}")
    elif any(m in content for m in MASS_MENTIONS) or "<@&" in content:
        # Without allowed_mentions Discord parses every mention in the content.
        problems.append("mass or role mention sent without allowed_mentions")
    return problems
