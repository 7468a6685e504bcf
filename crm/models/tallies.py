"""Maintained counts that keep the board, the country page and the dashboard independent of the
number of responses (README "Performance"). ``crm.tallies`` keeps them right on every flush;
nothing else writes them.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import db


class InterestTally(db.Model):
    """How many practices of a country hold an interest of one level in a program, and whether
    it makes them eligible (SPEC §3): the sums behind eligible counts and interest counts. Under
    the program code ``*`` every practice of the country counts once."""

    __tablename__ = "interest_tallies"

    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    program_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    eligible: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    practices: Mapped[int] = mapped_column(Integer, default=0)


class InterestTallyEntry(db.Model):
    """What one practice's interest in one program adds to ``interest_tallies`` now: the
    snapshot a change is compared with. No foreign key: the entry outlives a deleted practice
    until its share has been taken back."""

    __tablename__ = "interest_tally_entries"

    practice_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    country_code: Mapped[str] = mapped_column(String(2))
    level: Mapped[str] = mapped_column(String(16))
    eligible: Mapped[bool] = mapped_column(Boolean)


class ResponseTally(db.Model):
    """Responses that are not spam, per calendar month of submission (UTC), country and survey
    language: the dashboard's charts (SPEC §5)."""

    __tablename__ = "response_tallies"

    #: ``YYYY-MM`` of ``submitted_at`` in UTC.
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    #: ISO code; empty when the response has no country (some legacy imports).
    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer, default=0)
