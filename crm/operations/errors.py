"""The error operations raise for input the database would reject, in the user's words."""

from __future__ import annotations


class InvalidInput(ValueError):
    """Input an operation refuses: ``field`` names the form field it belongs to (or None for the
    whole form) and ``message`` is already translated for the user."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
