"""A safety plan's sections (Stanley–Brown), how a submitted plan is cleaned, and the plan as a
text file. Pure: no I/O.

Written from shared/reference/safety.md: the person's own words, kept short enough to read in a
hard moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The custom id of "My safety plan". The crisis DM carries it too, so it never changes: a button
# in a DM sent long ago must still open the plan.
OPEN_PLAN_ID = "safetyplan:view"


@dataclass(frozen=True, slots=True)
class PlanSection:
    """One section of the plan: its key in storage, its heading, and its form field."""

    key: str
    title: str
    label: str  # the modal field label, at most 45 characters
    placeholder: str


PLAN_SECTIONS: tuple[PlanSection, ...] = (
    PlanSection(
        "warning_signs",
        "1. My warning signs",
        "My warning signs",
        "Thoughts, moods or situations that tell me a crisis may be building",
    ),
    PlanSection(
        "coping",
        "2. Things I can do on my own",
        "Things I can do on my own",
        "What takes my mind off things: a walk, music, a shower, a game",
    ),
    PlanSection(
        "places",
        "3. People and places that help me feel better",
        "People and places that help",
        "A friend to hang out with, a café, the library, a park",
    ),
    PlanSection(
        "people",
        "4. People I can ask for help",
        "People I can ask for help",
        "Names and how to reach them",
    ),
    PlanSection(
        "professionals",
        "5. Professionals and services I can contact",
        "Professionals and services",
        "My therapist or GP, a helpline (see /resources), with numbers",
    ),
    PlanSection(
        "environment",
        "6. Making my space safer",
        "Making my space safer",
        "Things I can put away or ask someone to keep for me",
    ),
    PlanSection(
        "reasons",
        "7. My reasons for living",
        "My reasons for living",
        "People, pets, plans, what matters most to me",
    ),
)
PLAN_KEYS = frozenset(s.key for s in PLAN_SECTIONS)
# Seven sections of this length, plus titles, stay inside an embed's 6,000 characters.
SECTION_MAX = 750
# A modal holds at most five inputs, so the plan is edited in two parts.
PLAN_PARTS: tuple[tuple[PlanSection, ...], ...] = (PLAN_SECTIONS[:4], PLAN_SECTIONS[4:])


def part_label(part: int) -> str:
    """The edit button of one part: ``Edit sections 1–4``, ``Edit sections 5–7``."""
    first = sum(len(p) for p in PLAN_PARTS[:part]) + 1
    return f"Edit sections {first}–{first + len(PLAN_PARTS[part]) - 1}"


def clean_plan(sections: Mapping[str, str]) -> dict[str, str]:
    """Keep only known sections, trimmed and within the length limit; drop empty ones."""
    cleaned = {}
    for key, value in sections.items():
        text = value.strip()[:SECTION_MAX].rstrip()
        if key in PLAN_KEYS and text:
            cleaned[key] = text
    return cleaned


def plan_as_text(sections: Mapping[str, str]) -> str:
    """The plan as a plain-text file someone can keep, print or share with their therapist."""
    lines = ["My safety plan", "==============", ""]
    for section in PLAN_SECTIONS:
        lines += [section.title, sections.get(section.key, "").strip() or "(not filled in yet)", ""]
    lines += [
        "If you are in immediate danger, call your local emergency number.",
        "Helplines for your country: /resources in your group's Discord server.",
    ]
    return "\n".join(lines) + "\n"
