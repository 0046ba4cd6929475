"""Tests for the crisis helpline data and its loader (bot.crisis.resources)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.core.problems import ContentInvalid
from bot.crisis.resources import (
    SHIPPED_RESOURCES,
    load_resources,
    lookup,
    resources_for,
    shipped_resources,
    validate_resources,
)

# The countries and numbers of shared/reference/crisis-lines.md (checked 2026-11-21), written out
# here because that file lives outside the repository.
REFERENCE_HELPLINES = {
    "US": ["988", "838255", "741741"],
    "CA": ["9-8-8", "686868", "1-800-668-6868"],
    "GB": ["116 123", "85258"],
    "IE": ["116 123", "50808", "1800 247 247", "51444"],
    "AU": ["13 11 14", "0477 13 11 14", "1300 22 4636"],
    "NZ": ["1737", "0800 543 354", "4357"],
    "IN": ["14416", "1-800-891-4416"],
    "DE": ["0800 111 0 111", "0800 111 0 222"],
    "FR": ["3114"],
    "ES": ["024"],
    "NL": ["113", "0800-0113"],
    "BR": ["188"],
    "MX": ["800 911 2000"],
    "JP": ["0120-279-338"],
    "PH": ["1553", "0917-899-8727"],
    "SG": ["1767", "9151 1767"],
}
REFERENCE_EMERGENCY = {
    "US": ["911"], "CA": ["9-1-1"], "GB": ["999", "112"], "IE": ["112", "999"], "AU": ["000"],
    "NZ": ["111"], "IN": ["112"], "DE": ["112"], "FR": ["15", "112"], "ES": ["112"], "NL": ["112"],
}  # fmt: skip
NOT_CHECKED = {"BR", "MX", "JP", "PH", "SG"}


def test_shipped_file_validates() -> None:
    assert validate_resources(SHIPPED_RESOURCES) == []


def test_every_reference_country_and_number_is_present() -> None:
    data = shipped_resources()
    assert set(data.countries) == set(REFERENCE_HELPLINES)
    for code, numbers in REFERENCE_HELPLINES.items():
        shipped = {r.value for s in data.countries[code].services for r in s.reach}
        assert set(numbers) <= shipped, code


def test_emergency_numbers_match_the_reference() -> None:
    data = shipped_resources()
    for code, numbers in REFERENCE_EMERGENCY.items():
        emergency = data.countries[code].emergency
        assert emergency is not None and list(emergency.numbers) == numbers, code
    for code in NOT_CHECKED:
        assert data.countries[code].emergency is None, code


def test_no_number_is_shipped_that_the_reference_does_not_list() -> None:
    allowed = {n for numbers in REFERENCE_HELPLINES.values() for n in numbers}
    allowed |= {n for numbers in REFERENCE_EMERGENCY.values() for n in numbers}
    data = shipped_resources()
    for country in data.countries.values():
        for service in country.services:
            for reach in service.reach:
                if reach.kind in ("phone", "text", "whatsapp"):
                    assert reach.value in allowed, (service.name, reach.value)
    # The known traps named in the reference.
    text = SHIPPED_RESOURCES.read_text(encoding="utf-8")
    assert "273-8255" not in text
    assert "1-800-91-4416" not in text


def test_every_entry_has_source_and_check_date() -> None:
    data = shipped_resources()
    entries = [s for c in data.countries.values() for s in c.services]
    entries += [c.emergency for c in data.countries.values() if c.emergency]
    entries += list(data.international)
    for entry in entries:
        assert entry.source
        assert entry.verified.isoformat() == "2026-11-21"


def test_resources_for_known_country() -> None:
    us = resources_for("us")
    assert us.country == "US" and not us.is_fallback
    assert us.services[0].name == "988 Suicide & Crisis Lifeline"
    assert us.emergency is not None and us.emergency.numbers == ("911",)
    assert us.international, "the directories are always offered"
    text_lines = [(r.value, r.keyword) for s in us.services for r in s.reach if r.kind == "text"]
    assert ("741741", "HOME") in text_lines


def test_resources_for_uk_means_gb() -> None:
    assert resources_for("UK").country == "GB"


@pytest.mark.parametrize("country", [None, "", "ZZ", "KR"])
def test_resources_for_unknown_country_falls_back(country: str | None) -> None:
    result = resources_for(country)
    assert result.is_fallback
    assert result.emergency is None
    assert [d.url for d in result.international] == ["https://findahelpline.com", "https://befrienders.org"]


def test_country_without_checked_emergency_number() -> None:
    br = resources_for("BR")
    assert not br.is_fallback and br.emergency is None


# --- broken fixtures -------------------------------------------------------------------

GOOD = """
checked = 2026-11-21
reference = "x"

[[international]]
name = "Dir"
url = "https://example.org"
description = "d"
source = "example.org"
verified = 2026-11-21
confidence = "high"

[countries.GB]
name = "United Kingdom"
[countries.GB.emergency]
numbers = ["999"]
source = "gov.uk"
verified = 2026-11-21
confidence = "high"

[[countries.GB.services]]
name = "Line"
hours = "24/7"
source = "example.org"
verified = 2026-11-21
confidence = "high"
reach = [{ kind = "phone", value = "116 123" }]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "resources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_fixture_loads(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD)
    assert validate_resources(path) == []
    data = load_resources(path)
    assert lookup(data, "gb").services[0].reach[0].value == "116 123"


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ('value = "116 123"', 'value = "116-CALL"', "countries.GB.services[0].reach[0]"),
        ('value = "116 123"', 'value = "(116) 123"', "countries.GB.services[0].reach[0]"),
        ('numbers = ["999"]', 'numbers = ["nine"]', "countries.GB.emergency.numbers"),
        (
            'name = "Line"\nhours = "24/7"\nsource = "example.org"',
            'name = "Line"\nhours = "24/7"',
            "countries.GB.services[0].source",
        ),
        ('confidence = "high"\nreach', "reach", "countries.GB.services[0].confidence"),
        (
            'name = "Line"\nhours = "24/7"\nsource = "example.org"\nverified = 2026-11-21',
            'name = "Line"\nhours = "24/7"\nsource = "example.org"',
            "countries.GB.services[0].verified",
        ),
        (
            'name = "Line"\nhours = "24/7"\nsource = "example.org"\nverified = 2026-11-21',
            'name = "Line"\nhours = "24/7"\nsource = "example.org"\nverified = "last week"',
            "countries.GB.services[0].verified",
        ),
        ("[countries.GB]", "[countries.UK]", "countries.UK"),
        ('url = "https://example.org"', 'url = "http://example.org"', "international[0].url"),
        (
            '{ kind = "phone", value = "116 123" }',
            '{ kind = "text", value = "85258", keyword = "shout!" }',
            "countries.GB.services[0].reach[0]",
        ),
    ],
)
def test_broken_fixture_names_file_and_field(tmp_path: Path, old: str, new: str, field: str) -> None:
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    if field == "countries.UK":
        text = text.replace("countries.GB", "countries.UK")
    path = _write(tmp_path, text)
    problems = validate_resources(path)
    assert problems, "expected a problem"
    assert all(p.file == str(path) for p in problems)
    assert any(p.field.startswith(field) for p in problems), problems
    with pytest.raises(ContentInvalid):
        load_resources(path)


def test_unreadable_toml_is_one_problem(tmp_path: Path) -> None:
    path = _write(tmp_path, "checked = = 1")
    [problem] = validate_resources(path)
    assert problem.file == str(path) and problem.field == "(file)"


def test_shipped_file_is_plain_toml_with_the_check_date() -> None:
    data = tomllib.loads(SHIPPED_RESOURCES.read_text(encoding="utf-8"))
    assert data["checked"].isoformat() == "2026-11-21"
