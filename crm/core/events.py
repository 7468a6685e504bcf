"""Signals between parts of crm that must not import each other.

``country_changed`` is sent (sender: the app or None) with ``country_codes`` whenever something
that readiness depends on changed in those countries: availability, a privacy review, an
agreement, a threshold, or a response's triage. Readiness recording subscribes to it.
"""

from blinker import Namespace

_signals = Namespace()

country_changed = _signals.signal("country-changed")


def notify_country_changed(*country_codes: str | None) -> None:
    """Send ``country_changed`` for the given ISO codes (None values are ignored)."""
    codes = frozenset(code for code in country_codes if code)
    if codes:
        country_changed.send(None, country_codes=codes)
