"""Crisis helplines and emergency numbers per country, from ``content/crisis/resources.toml``.

Every number in that file comes from ``shared/reference/crisis-lines.md`` with its source and
check date; this module only models, loads and validates it. Countries without data get the
international directories, so nobody is ever shown an empty list.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.core.problems import ContentInvalid, Problem, read_toml

SHIPPED_RESOURCES = Path(__file__).resolve().parents[2] / "content" / "crisis" / "resources.toml"

# Digits with single spaces or hyphens between groups, optionally a leading "+"; 2 to 15 digits
# (E.164's maximum). Short codes like "988" and "116 123" pass; letters, dots and brackets don't.
_PHONE_RE = re.compile(r"\+?\d+(?:[ -]\d+)*")
_KEYWORD_RE = re.compile(r"[A-Z0-9]{2,20}")
_CONFIDENCE_RE = re.compile(r"(high|medium)\b.*")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}")


def _digits(value: str) -> int:
    return sum(ch.isdigit() for ch in value)


def _check_phone(value: str) -> str:
    if not _PHONE_RE.fullmatch(value) or not 2 <= _digits(value) <= 15:
        raise ValueError(f"{value!r} is not a phone number (digits, spaces or hyphens, 2-15 digits)")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Reach(_Model):
    """One way to reach a service: call, text (maybe with a keyword), chat, email or WhatsApp."""

    kind: Literal["phone", "text", "chat", "email", "whatsapp"]
    value: str = Field(min_length=1)
    keyword: str | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _value_matches_kind(self) -> Reach:
        if self.kind in ("phone", "text", "whatsapp"):
            _check_phone(self.value)
        elif self.kind == "email" and not _EMAIL_RE.fullmatch(self.value):
            raise ValueError(f"{self.value!r} is not an email address")
        elif self.kind == "chat" and "://" in self.value and not self.value.startswith("https://"):
            raise ValueError(f"chat link {self.value!r} must use https://")
        if self.keyword is not None:
            if self.kind != "text":
                raise ValueError("only a text line has a keyword")
            if not _KEYWORD_RE.fullmatch(self.keyword):
                raise ValueError(f"keyword {self.keyword!r} must be 2-20 capital letters or digits")
        return self


class _Sourced(_Model):
    source: str = Field(min_length=3)
    verified: date
    confidence: str

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, value: str) -> str:
        if not _CONFIDENCE_RE.fullmatch(value):
            raise ValueError("must start with 'high' or 'medium'")
        return value


class Service(_Sourced):
    """A helpline: who it is, how to reach it, when, in which languages, and where it came from."""

    name: str = Field(min_length=1)
    reach: tuple[Reach, ...] = Field(min_length=1)
    hours: str = Field(min_length=1)
    languages: tuple[str, ...] = ()
    notes: str | None = None


class Emergency(_Sourced):
    """A country's emergency numbers."""

    numbers: tuple[str, ...] = Field(min_length=1)
    notes: str | None = None

    @field_validator("numbers")
    @classmethod
    def _phones(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for number in value:
            _check_phone(number)
        return value


class Directory(_Sourced):
    """An international directory of helplines, the fallback for every country."""

    name: str = Field(min_length=1)
    url: str
    description: str

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not value.startswith("https://"):
            raise ValueError("must be an https:// link")
        return value


class Country(_Model):
    """What the data holds for one country. ``emergency`` is None where it was not checked."""

    name: str = Field(min_length=1)
    emergency: Emergency | None = None
    services: tuple[Service, ...] = Field(min_length=1)


class ResourcesFile(_Model):
    """The whole resources file."""

    checked: date
    reference: str
    international: tuple[Directory, ...] = Field(min_length=1)
    countries: dict[str, Country]


class CountryResources(_Model):
    """What to show a member: their country's lines (if known), its emergency number (if
    checked) and the international directories, which are always included."""

    country: str | None
    name: str | None
    services: tuple[Service, ...]
    emergency: Emergency | None
    international: tuple[Directory, ...]

    @property
    def is_fallback(self) -> bool:
        """True when the country has no helplines of its own in the data."""
        return not self.services


@functools.cache
def _iso_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, from the tz database table shipped with ``tzdata``."""
    try:
        table = importlib_resources.files("tzdata").joinpath("zoneinfo/iso3166.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - tzdata is a dependency
        return frozenset()
    return frozenset(
        line.split("\t", 1)[0] for line in table.splitlines() if line and not line.startswith("#")
    )


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _problems_from_data(data: Any, source: str) -> tuple[ResourcesFile | None, list[Problem]]:
    problems: list[Problem] = []
    parsed: ResourcesFile | None = None
    try:
        parsed = ResourcesFile.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(Problem(source, _field_path(tuple(error["loc"])), error["msg"]))
    countries = data.get("countries", {}) if isinstance(data, dict) else {}
    known = _iso_codes()
    for code in countries if isinstance(countries, dict) else ():
        if not re.fullmatch(r"[A-Z]{2}", code) or (known and code not in known):
            problems.append(Problem(source, f"countries.{code}", "not an ISO 3166-1 alpha-2 country code"))
    return (parsed if not problems else None), problems


def validate_resources(path: Path) -> list[Problem]:
    """Every problem in a resources file: phone formats, sources, dates, ISO codes. Empty if fine."""
    try:
        data = read_toml(path)
    except ContentInvalid as error:
        return error.problems
    return _problems_from_data(data, str(path))[1]


def load_resources(path: Path) -> ResourcesFile:
    """Load and validate a resources file; raise ContentInvalid listing every problem."""
    parsed, problems = _problems_from_data(read_toml(path), str(path))
    if parsed is None:
        raise ContentInvalid(problems)
    return parsed


@functools.cache
def shipped_resources() -> ResourcesFile:
    """The shipped ``content/crisis/resources.toml``, loaded once on first use."""
    return load_resources(SHIPPED_RESOURCES)


def lookup(data: ResourcesFile, country: str | None) -> CountryResources:
    """Resources for ``country`` (ISO alpha-2, any case) in ``data``; the directories if unknown."""
    code = country.strip().upper() if country else None
    if code == "UK":  # a common slip: the ISO code is GB
        code = "GB"
    entry = data.countries.get(code) if code else None
    if entry is None:
        return CountryResources(
            country=code, name=None, services=(), emergency=None, international=data.international
        )
    return CountryResources(
        country=code,
        name=entry.name,
        services=entry.services,
        emergency=entry.emergency,
        international=data.international,
    )


def resources_for(country: str | None) -> CountryResources:
    """Helplines for ``country`` from the shipped data, falling back to the international directory."""
    return lookup(shipped_resources(), country)
