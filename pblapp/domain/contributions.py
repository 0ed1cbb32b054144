"""Rules about contributions that the screen, the counts and the minutes share."""

from __future__ import annotations

from collections.abc import Iterable


def folded(contributions: Iterable[dict]) -> dict[int, int]:
    """Which merged duplicates are folded into the post they joined: ``{duplicate id:
    target id}``. A duplicate is folded only while both it and its target are visible;
    once the target is hidden, the duplicate counts and shows on its own again."""
    items = list(contributions)
    visible = {c["id"] for c in items if not c["hidden"]}
    return {
        c["id"]: c["merged_into_id"]
        for c in items
        if c["id"] in visible and c["merged_into_id"] in visible
    }
