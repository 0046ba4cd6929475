"""The plan's sections fit Discord's forms and embeds; cleaning keeps only what the person wrote."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.safetyplan.logic import PLAN_PARTS, PLAN_SECTIONS, SECTION_MAX, clean_plan, plan_as_text


def test_plan_parts_fit_a_modal():
    assert sum(len(p) for p in PLAN_PARTS) == len(PLAN_SECTIONS) == 7
    assert all(len(p) <= 5 for p in PLAN_PARTS)
    assert all(len(s.label) <= 45 and len(s.placeholder) <= 100 for s in PLAN_SECTIONS)
    # The whole plan stays inside an embed's 6,000 characters.
    assert sum(len(s.title) + SECTION_MAX for s in PLAN_SECTIONS) + 200 < 6000


@given(
    st.dictionaries(st.sampled_from([s.key for s in PLAN_SECTIONS] + ["evil", ""]), st.text(max_size=2000))
)
def test_clean_plan_keeps_only_known_non_empty_sections_within_limit(sections):
    cleaned = clean_plan(sections)
    assert set(cleaned) <= {s.key for s in PLAN_SECTIONS}
    assert all(0 < len(v) <= SECTION_MAX and v == v.strip() for v in cleaned.values())
    text = plan_as_text(cleaned)
    assert all(s.title in text for s in PLAN_SECTIONS)
