"""Checks the pipeline's operations (``operations.py``, ``thresholds.py``) run on their input
before anything is written: each returns the cleaned value or raises
:class:`crm.core.errors.InvalidInput` naming the field, with a message in the user's language."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from crm.audit import operations as audit
from crm.core.errors import InvalidInput
from crm.core.extensions import db
from crm.countries.models import Program

#: Longest text of the short free-text columns (String(200) in the models).
SHORT_TEXT = 200


def clean_text(value: str | None, field: str, limit: int | None = SHORT_TEXT) -> str | None:
    """``value`` stripped, ``None`` when empty; raises ``InvalidInput`` on ``field`` when longer
    than ``limit`` characters (``None``: no limit, for the long text columns)."""
    text = (value or "").strip()
    if limit is not None and len(text) > limit:
        raise InvalidInput(field, _("Use at most %(limit)d characters.", limit=limit))
    return text or None


def choice(value: str | None, allowed: tuple[str, ...], field: str) -> str:
    """``value`` when it is one of ``allowed`` (a model's vocabulary); else raises
    ``InvalidInput`` on ``field``."""
    if value not in allowed:
        raise InvalidInput(field, _("Choose one of the options in the list."))
    return value


def known_program(code: str, field: str = "program") -> Program:
    """The program with ``code``; raises ``InvalidInput`` on ``field`` when there is none."""
    program = db.session.get(Program, code)
    if program is None:
        raise InvalidInput(field, _("Choose one of the options in the list."))
    return program


def chosen_programs(codes: Iterable[str], field: str = "programs") -> list[Program]:
    """The programs with these codes, in display order; raises ``InvalidInput`` on ``field``
    when none is given or one is unknown."""
    wanted = sorted(set(codes))
    if not wanted:
        raise InvalidInput(field, _("Choose at least one program."))
    programs = db.session.scalars(select(Program).where(Program.code.in_(wanted))).all()
    if len(programs) != len(wanted):
        raise InvalidInput(field, _("Choose one of the options in the list."))
    return sorted(programs, key=lambda p: p.position)


def not_before(later: date | None, earlier: date | None, field: str, message: str) -> None:
    """Raise ``InvalidInput(field, message)`` when both days are given and ``later`` comes
    before ``earlier``."""
    if later is not None and earlier is not None and later < earlier:
        raise InvalidInput(field, message)


def actor_id() -> int | None:
    """The id of the staff user making the change (``None`` for a command or the worker)."""
    return audit.current_actor()[0]


def actor_name() -> str:
    """Who is making the change, as the logs name them."""
    return audit.current_actor()[1]
