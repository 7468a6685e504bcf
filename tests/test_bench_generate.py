"""The bench's data generator (``bench/generate.py``): the rows it writes straight into the
database are the ones the app would have written, tallies included, so the bench measures the
app on data it can trust."""

from __future__ import annotations

from sqlalchemy import func, select

from bench import generate
from crm.readiness.queries import readiness_board
from crm.responses import tallies
from crm.responses.models import InterestTally, Practice, ResponseTally, SurveyResponse


def tally_rows(db) -> tuple[list, list]:
    interests = db.session.execute(
        select(InterestTally.__table__).order_by(*InterestTally.__table__.primary_key)
    ).all()
    responses = db.session.execute(
        select(ResponseTally.__table__).order_by(*ResponseTally.__table__.primary_key)
    ).all()
    return [tuple(r) for r in interests if r.practices], [tuple(r) for r in responses if r[-1]]


def test_generated_data_is_filed_and_tallied_like_the_apps(app, db, database_url, create_user):
    create_user("staff", email=generate.STAFF_EMAIL)
    db.session.remove()
    db.engine.dispose()  # leaving WAL for the load needs the only connection to the file
    result = generate.generate(database_url, 1500)
    assert result.responses == 1500
    count = db.session.scalar(select(func.count()).select_from(SurveyResponse))
    assert count == 1500
    assert db.session.scalar(select(func.count()).where(SurveyResponse.filed_at.is_(None))) == 0
    assert db.session.scalar(select(func.count()).select_from(Practice)) == result.practices
    maintained = tally_rows(db)
    tallies.rebuild(db.session.connection())
    assert tally_rows(db) == maintained
    assert len(readiness_board()) > 0
    db.session.rollback()
