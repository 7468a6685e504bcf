"""The import's steps (docs/architecture.md#data): staging, mapping, preview, the
all-or-nothing commit, and the round trip from our own XLSX export."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from crm.audit.models import AuditEvent
from crm.data import exports as reports
from crm.data import spreadsheets
from crm.data.columns import CODES, layout
from crm.data.filters import ResponseFilters
from crm.data.imports import checking, committing, jobs, operations
from crm.data.imports.issues import ImportFileError, ImportLimits
from crm.data.models import ImportBatch, ImportRow
from crm.responses import tallies
from crm.responses.intake import intake_response
from crm.responses.models import Contact, Interest, Practice, SurveyResponse
from tests.data.spreadsheets import (
    BAD_FILES,
    GOOD_ROW,
    NOW,
    changed_row,
    csv_bytes,
    legacy_rows,
)


def counts(db) -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (SurveyResponse, Practice, Contact, Interest)
    }


def stage(db, content: bytes, **kwargs) -> ImportBatch:
    batch = operations.stage_import(
        kwargs.pop("filename", "legacy.csv"),
        content,
        header_rows=kwargs.pop("header_rows", None),
        language="pt_BR",
        limits=ImportLimits(),
        created_by_id=None,
        now=kwargs.pop("now", NOW),
    )
    db.session.commit()
    return batch


def check(db, batch: ImportBatch) -> ImportBatch:
    checking.start_check(batch)
    checking.check_import(batch, now=NOW)
    db.session.commit()
    return batch


def previewed(db, *rows, values=None) -> ImportBatch:
    batch = stage(db, csv_bytes(legacy_rows(*rows)))
    operations.map_columns(batch, batch.mapping["columns"], language="pt_BR", date_order="auto")
    operations.map_values(batch, values or batch.mapping["values"])
    return check(db, batch)


def commit(db, batch: ImportBatch, *, skip_invalid: bool = False) -> dict[str, int]:
    committing.start_commit(batch, skip_invalid=skip_invalid)
    result = committing.commit_rows(batch, now=NOW)
    db.session.commit()
    return result


def staged(db, batch: ImportBatch) -> list[ImportRow]:
    return list(
        db.session.scalars(
            select(ImportRow).where(ImportRow.batch_id == batch.id).order_by(ImportRow.position)
        )
    )


def test_staging_keeps_the_table_and_suggestions_but_imports_nothing(db):
    before = counts(db)
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    assert counts(db) == before
    assert batch.status == "uploaded"
    assert [(row.n, row.cells) for row in staged(db, batch)] == [(2, GOOD_ROW)]
    assert batch.mapping["columns"] == {
        "practice_name": 0,
        "country": 1,
        "city": 2,
        "name": 3,
        "email": 4,
        "interest_qopi": 5,
        "oncologists_count": 6,
        "submitted_at": 7,
        "consent": 8,
    }
    assert batch.mapping["values"] == {
        "interest_qopi": {"muitointeressado": "very"},
        "consent": {"yes": "yes"},
    }


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_stages_nothing(db, name):
    before = counts(db)
    with pytest.raises(ImportFileError):
        stage(db, BAD_FILES[name][0])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert counts(db) == before


@pytest.mark.parametrize("missing", ["practice_name", "country"])
def test_mapping_without_a_required_column_is_refused(db, missing):
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    columns = {k: v for k, v in batch.mapping["columns"].items() if k != missing}
    with pytest.raises(ValueError, match=missing):
        operations.map_columns(batch, columns, language="en", date_order="auto")


def test_mapping_one_column_twice_is_refused(db):
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    with pytest.raises(ValueError, match="twice"):
        operations.map_columns(
            batch, {"practice_name": 0, "country": 1, "city": 0}, language="en", date_order="auto"
        )


def test_without_closed_questions_the_rows_are_checked_at_once(db):
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    values_step = operations.map_columns(
        batch,
        {"practice_name": 0, "country": 1},
        fixed={"consent": "yes"},
        language="en",
        date_order="dmy",
    )
    assert not values_step
    assert check(db, batch).status == "previewed"
    assert batch.preview["counts"]["valid"] == 1


def test_closed_columns_list_each_distinct_answer(db):
    batch = stage(
        db, csv_bytes(legacy_rows(GOOD_ROW, changed_row(**{"Interest in QOPI": "Talvez"})))
    )
    operations.map_columns(batch, batch.mapping["columns"], language="en", date_order="auto")
    question, _consent = operations.value_questions(batch)
    assert question["key"] == "interest_qopi"
    assert question["values"] == [
        ("muitointeressado", "Muito interessado", 1, "very", None),
        ("talvez", "Talvez", 1, None, None),
    ]


def test_an_unknown_code_in_the_value_mapping_is_refused(db):
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    operations.map_columns(batch, batch.mapping["columns"], language="en", date_order="auto")
    with pytest.raises(ValueError, match="unknown_key"):
        operations.map_values(batch, {"interest_qopi": {"muitointeressado": "extremely"}})


def test_preview_lists_errors_per_row(db):
    batch = previewed(db, GOOD_ROW, changed_row(Country="Narnia"))
    assert (
        batch.preview["counts"] | {"rows": 2, "valid": 1, "invalid": 1} == batch.preview["counts"]
    )
    second = staged(db, batch)[1]
    assert (second.n, second.check["errors"]) == (
        3,
        [{"code": "unknown_country", "params": {"field": "country", "value": "Narnia"}}],
    )


def add_practice(db, name: str, email: str = "someone@else.example", country: str = "BR"):
    intake_response(
        {
            "practice_name": name,
            "country": country,
            "city": "Recife",
            "name": "Existing",
            "email": email,
        },
        language="pt_BR",
        submission_token=uuid.uuid4().hex,
        consent_at=NOW,
        privacy_notice_version="2026-11",
    )
    db.session.commit()
    return db.session.scalar(select(Practice).where(Practice.name == name))


def test_preview_matches_an_existing_practice(db):
    practice = add_practice(db, "CLINICA SAO JOSE")
    batch = previewed(db, GOOD_ROW)
    # The rule that matched is said: the same name in the same city.
    assert staged(db, batch)[0].check["match"] == {
        "kind": "existing",
        "practice_id": practice.id,
        "name": "CLINICA SAO JOSE",
        "rule": "name_city",
        "contact": None,
    }


def test_preview_only_suggests_a_close_name(db):
    practice = add_practice(db, "Clínica São José Oncologia")
    match = staged(db, previewed(db, GOOD_ROW))[0].check["match"]
    assert (match["kind"], match["practice_id"]) == ("suggested", practice.id)


def test_preview_spots_a_repeated_practice_in_the_file(db):
    batch = previewed(db, GOOD_ROW, changed_row(Email="other@saojose.example"))
    assert [r.check["match"] for r in staged(db, batch)] == [
        {"kind": "new"},
        {"kind": "in_file", "row": 2},
    ]


def test_commit_is_refused_while_a_row_has_errors(db):
    batch = previewed(db, GOOD_ROW, changed_row(Country="Narnia"))
    before = counts(db)
    with pytest.raises(committing.ImportRefused) as refused:
        commit(db, batch)
    db.session.rollback()
    assert (refused.value.invalid, refused.value.total) == (1, 2)
    assert counts(db) == before


def test_commit_can_skip_the_rows_with_errors(db):
    batch = previewed(db, GOOD_ROW, changed_row(Country="Narnia"))
    result = commit(db, batch, skip_invalid=True)
    assert result == {
        "imported": 1, "already_imported": 0, "skipped": 1, "linked": 0, "new": 1, "double": 0
    }  # fmt: skip
    response = db.session.scalar(select(SurveyResponse))
    # The legacy consent is recorded, at the row's own time (no consent time in the file).
    assert (response.source, response.consent_at, response.submission_token) == (
        "import",
        datetime(2025, 12, 1, 10, tzinfo=UTC),
        f"import-{batch.id}-2",
    )
    assert (response.language, response.submitted_at) == (
        "pt_BR",
        datetime(2025, 12, 1, 10, tzinfo=UTC),
    )


def test_commit_with_every_row_invalid_is_refused_even_when_skipping(db):
    batch = previewed(db, changed_row(Country="Narnia"))
    with pytest.raises(committing.ImportRefused):
        commit(db, batch, skip_invalid=True)


def test_commit_stores_rows_through_intake_and_empties_the_staged_rows(db):
    batch = previewed(
        db, GOOD_ROW, changed_row(**{"Practice name": "Outra Clínica", "Email": "o@x.br"})
    )
    commit(db, batch)
    practices = db.session.scalars(select(Practice.name).order_by(Practice.name)).all()
    interests = db.session.scalars(select(Interest.level)).all()
    assert (practices, interests) == (["Clínica São José", "Outra Clínica"], ["very", "very"])
    assert batch.status == "committed"
    assert [row.cells for row in staged(db, batch)] == [None, None]


def test_commit_is_one_audit_event_with_counts(db):
    batch = previewed(db, GOOD_ROW)
    commit(db, batch)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import_batch.commit"))
    assert (event.entity_id, event.changes["imported"], event.changes["skipped"]) == (
        str(batch.id),
        [None, 1],
        [None, 0],
    )


def test_a_second_commit_of_the_same_batch_stores_nothing(db):
    batch = previewed(db, GOOD_ROW)
    commit(db, batch)
    with pytest.raises(operations.ImportStateError):
        commit(db, batch)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_rows_already_stored_under_their_token_are_not_stored_again(db):
    batch = previewed(db, GOOD_ROW)
    commit(db, batch)
    # As if a commit interrupted after storing the row were taken up again from the start.
    [row] = staged(db, batch)
    row.cells, row.stored = list(GOOD_ROW), None
    db.session.execute(
        update(ImportBatch).where(ImportBatch.id == batch.id).values(status="committing")
    )
    db.session.commit()
    result = committing.commit_rows(batch, now=NOW)
    assert (result["imported"], result["already_imported"]) == (0, 1)
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_a_failure_during_commit_leaves_nothing_behind(db, monkeypatch):
    batch = previewed(db, GOOD_ROW, changed_row(**{"Practice name": "Outra", "Email": "o@x.br"}))
    before = counts(db)
    calls = []

    def failing_intake(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return intake_response(*args, **kwargs)

    monkeypatch.setattr(committing, "intake_response", failing_intake)
    committing.start_commit(batch, skip_invalid=False)
    db.session.commit()
    jobs.run_commit(batch.id)
    assert counts(db) == before
    batch = db.session.get(ImportBatch, batch.id)
    assert (batch.status, batch.progress) == ("previewed", {"error": "commit_failed"})


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\Users\\ana\\legacy.csv", "legacy.csv"),
        ("", "upload"),
        ("leg\x00acy\n.csv", "legacy.csv"),
        ("\x00", "upload"),
    ],
)
def test_only_the_file_name_is_kept(db, sent, kept):
    assert stage(db, csv_bytes(legacy_rows(GOOD_ROW)), filename=sent).filename == kept


def test_discard_deletes_the_staged_file(db):
    batch = stage(db, csv_bytes(legacy_rows(GOOD_ROW)))
    operations.discard_import(batch)
    db.session.commit()
    assert db.session.get(ImportBatch, batch.id) is None


def test_abandoned_uploads_are_deleted_after_the_keep_period(db):
    content = csv_bytes(legacy_rows(GOOD_ROW))
    stage(db, content, filename="old.csv").created_at = datetime(2026, 11, 1, tzinfo=UTC)
    stage(db, content, filename="recent.csv").created_at = datetime(2026, 11, 25, tzinfo=UTC)
    db.session.commit()
    stage(db, content, filename="new.csv", now=NOW)
    names = db.session.scalars(select(ImportBatch.filename).order_by(ImportBatch.filename))
    assert list(names) == ["new.csv", "recent.csv"]


# --------------------------------------------------------------------------------------------
# Round trip: our XLSX export imported into an empty database


ROUND_TRIP_ANSWERS = [
    {
        "name": "Ana Pérez",
        "email": "ana@sanjose.example",
        "practice_name": "Clínica San José",
        "country": "AR",
        "city": "Córdoba",
        "practice_type": "private_practice",
        "outpatient_hem_onc": "yes",
        "oncologists_count": 3,
        "asco_members_count": 1,
        "reads_english": "yes",
        "interest_qopi": "very",
        "interest_qcp": "somewhat",
        "interest_qtp": "very",
        "qtp_formats": ["six_month", "train_the_trainer"],
        "willing_to_pay_qcp_fee": "unsure",
        "timeframe": "6_to_12_months",
        "comments": "=not a formula",
        "permission_to_contact": True,
    },
    {
        "name": "Bruno Lima",
        "email": "bruno@hc.example",
        "practice_name": "Hospital das Clínicas",
        "country": "BR",
        "interest_qopi": "not_very",
        "ehr_use": "partial",
        "licensing": ["quality_symposium"],
        "permission_to_contact": False,
    },
    {
        "name": "Ana Pérez",
        "email": "ANA@sanjose.example",
        "practice_name": "San José (Córdoba)",
        "country": "AR",
        "interest_qopi": "somewhat",
        "asco_members_count": 2,
        "reads_english": "yes",
    },
    {
        "name": "Carla Gómez",
        "email": "carla@onco.example",
        "practice_name": "Onco Sur",
        "country": "CL",
        "new_patients_per_year": 1200,
    },
]


def snapshot(db) -> dict[str, object]:
    practices = {
        p.id: (p.name, p.country_code, p.city, p.practice_type, p.outpatient_hem_onc,
               p.oncologists_count, p.new_patients_per_year, p.asco_members_count, p.ehr_use,
               p.reads_english)
        for p in db.session.scalars(select(Practice))
    }  # fmt: skip
    return {
        "practices": sorted(practices.values(), key=str),
        "interests": sorted(
            (
                practices[i.practice_id][0],
                i.program_code,
                i.level,
                i.timeframe,
                i.willing_to_pay_fee,
                repr(sorted(i.details.items())),
            )
            for i in db.session.scalars(select(Interest))
        ),  # fmt: skip
        "contacts": sorted(
            (c.name, c.email_key, c.permission_to_contact)
            for c in db.session.scalars(select(Contact))
        ),
        "responses": sorted(
            (
                r.country_code,
                r.language,
                r.triage_status,
                r.submitted_at,
                repr(sorted((k, v) for k, v in r.answers.items() if k != "consent")),
            )
            for r in db.session.scalars(select(SurveyResponse))
        ),  # fmt: skip
    }


def empty_the_crm(db) -> None:
    for model in (Interest, SurveyResponse, Contact, Practice):
        db.session.execute(delete(model))
    # Bulk deletes bypass the maintained tallies: recount them from the (now empty) rows.
    tallies.rebuild(db.session.connection())
    db.session.commit()


def test_round_trip_from_our_xlsx_export(db):
    for number, values in enumerate(ROUND_TRIP_ANSWERS):
        intake_response(
            {**values, "consent": True},
            language=("es", "pt_BR", "es", "en")[number],
            submission_token=uuid.uuid4().hex,
            consent_at=NOW,
            privacy_notice_version="2026-11",
            submitted_at=datetime(2026, 10, 1 + number, 8, 30, tzinfo=UTC),
        )
    db.session.commit()
    before = snapshot(db)
    eligible_before = tallies.eligible_counts()
    assert eligible_before  # the answers make eligible practices: readiness has counts to keep
    exported = io.BytesIO()
    codes = layout(reports.RESPONSE_FIELDS, CODES, timezone="UTC", reader="en")
    spreadsheets.write_xlsx(
        codes.headings,
        (codes.rows(chunk) for chunk in reports.response_rows(ResponseFilters(status=None))),
        exported,
        sheet_name="responses",
    )
    empty_the_crm(db)

    batch = stage(db, exported.getvalue())
    operations.map_columns(batch, batch.mapping["columns"], language="en", date_order="auto")
    operations.map_values(batch, batch.mapping["values"])
    assert check(db, batch).preview["counts"]["invalid"] == 0
    commit(db, batch)

    assert snapshot(db) == before
    assert tallies.eligible_counts() == eligible_before


# --- the time left of a long step (docs/domain.md#imports) ------------------------------------

T_START = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _progress(done: int, total: int, seconds: int, previous_done: int = 0) -> dict:
    return {"step": "commit", "done": done, "total": total, "previous_done": previous_done,
            "previous_at": T_START.isoformat(),
            "updated_at": (T_START + timedelta(seconds=seconds)).isoformat()}  # fmt: skip


def test_the_time_left_follows_the_pace_of_the_last_chunk():
    # 1,000 rows in 60 s: 4,000 more take 4 minutes, 30 s of which passed since the last chunk.
    progress = _progress(1000, 5000, 60)
    assert jobs.time_left(progress, T_START + timedelta(seconds=60)) == timedelta(minutes=4)
    assert jobs.time_left(progress, T_START + timedelta(seconds=90)) == timedelta(seconds=210)
    assert jobs.time_left(progress, T_START + timedelta(hours=1)) == timedelta(0)


def test_a_resumed_commit_is_timed_by_its_last_chunk_not_the_rows_it_passed():
    # Resumed at 10,000 of 20,000: the rows stored before went by in seconds; the chunk from
    # 10,000 to 11,000 took 60 s, so 9,000 rows left take 9 minutes.
    progress = _progress(11_000, 20_000, 60, previous_done=10_000)
    assert jobs.time_left(progress, T_START + timedelta(seconds=60)) == timedelta(minutes=9)


def test_each_chunk_reports_where_the_chunk_before_it_ended(app, db):
    batch = ImportBatch(filename="x.csv", status="committing", columns=[], reading={})
    db.session.add(batch)
    db.session.commit()
    report = jobs._progress(batch.id, "commit")
    report(1000, 3000)
    first = dict(db.session.get(ImportBatch, batch.id).progress)
    report(2000, 3000)
    second = db.session.get(ImportBatch, batch.id).progress
    assert (first["previous_done"], second["previous_done"]) == (0, 1000)
    assert second["previous_at"] == first["updated_at"]


@pytest.mark.parametrize(
    "progress",
    [
        _progress(0, 5000, 0),  # no chunk done yet: no pace
        _progress(5000, 5000, 300),  # every row done
        {"step": "check", "done": 10, "total": 20},  # a step begun before the pace was kept
        {},
    ],
)
def test_no_time_left_is_guessed_without_a_pace(progress):
    assert jobs.time_left(progress, T_START + timedelta(minutes=10)) is None
