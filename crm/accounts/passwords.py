"""Password policy: minimum length plus a check against common passwords.

zxcvbn ships frequency lists of common passwords, names and words and scores a password 0..4;
a score under ``SECURITY_ZXCVBN_MINIMUM_SCORE`` is refused. zxcvbn's own feedback is English
only, so the refusal uses Flask-Security's translated "password too simple" message instead.
"""

from __future__ import annotations

from typing import Any

import zxcvbn
from flask import current_app
from flask_security import PasswordUtil
from flask_security.utils import get_message, password_length_validator


class PasswordPolicy(PasswordUtil):
    """Flask-Security password utility with our policy; its messages are in the user's language."""

    def validate(self, password: str, is_register: bool, **kwargs: Any) -> tuple[list | None, str]:
        """``(errors or None, normalized password)`` for ``password``.

        ``kwargs`` holds the other form values (on registration) or ``user`` (on change): their
        text is given to zxcvbn so a password made of the user's own email or name scores low.
        """
        normalized = self.normalize(password)
        errors = password_length_validator(normalized)
        if errors:
            return errors, normalized
        if too_common(normalized, user_inputs(is_register, kwargs)):
            return [get_message("PASSWORD_TOO_SIMPLE")[0]], normalized
        return None, normalized


def user_inputs(is_register: bool, kwargs: dict[str, Any]) -> list[str]:
    """Strings about the user (email, its local part, name) a password should not be built from."""
    if is_register:
        values = [v for v in kwargs.values() if isinstance(v, str) and v]
    else:
        user = kwargs.get("user")
        values = [v for v in (getattr(user, "email", None), getattr(user, "name", None)) if v]
    # zxcvbn matches whole inputs: the email's local part is what people reuse.
    return values + [v.split("@", 1)[0] for v in values if "@" in v]


def too_common(password: str, inputs: list[str]) -> bool:
    """True when zxcvbn scores ``password`` below the configured minimum (0..4)."""
    minimum = current_app.config["SECURITY_ZXCVBN_MINIMUM_SCORE"]
    return zxcvbn.zxcvbn(password[:100], user_inputs=inputs)["score"] < minimum
