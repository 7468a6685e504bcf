"""Select options for WTForms 3.3+, which deprecates ``(value, label)`` tuples."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectChoice


def select_choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """``[(value, label), ...]`` (labels may be lazy strings) as ``SelectChoice`` options."""
    return [SelectChoice(value=value, label=label) for value, label in pairs]
