"""A mapping saved as a template and proposed for the next file with the same headings; a
committed import undone (docs/domain.md#imports)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from crm.audit.models import AuditEvent
from crm.core.extensions import db as _db
from crm.data.imports import checking, committing, operations, templates, undoing
from crm.data.imports.issues import ImportLimits
from crm.data.models import ImportBatch
from crm.readiness.queries import country_readiness
from crm.responses import tallies
from crm.responses.intake import intake_response
from crm.responses.models import Contact, Practice, SurveyResponse
from crm.responses.operations import update_practice
from tests.data.spreadsheets import NOW, csv_bytes

HEADINGS = ["Marca temporal", "Nombre del consultorio", "Número de miembros de ASCO",
            "¿Su personal puede leer y entender inglés?", "Interés en QOPI", "Consentimiento",
            "Correo"]  # fmt: skip


def stage(rows: list[list[str]]) -> ImportBatch:
    batch = operations.stage_import(
        "monthly.csv", csv_bytes([HEADINGS, *rows]), header_rows=None, language="en",
        limits=ImportLimits(), created_by_id=None, now=NOW,
    )  # fmt: skip
    _db.session.commit()
    return batch


def check_and_commit(batch: ImportBatch) -> None:
    checking.start_check(batch)
    checking.check_import(batch, now=NOW)
    _db.session.commit()
    committing.start_commit(batch, skip_invalid=False)
    committing.commit_rows(batch)
    _db.session.commit()


def map_as_proposed(batch: ImportBatch, **fixed: str) -> None:
    mapping = batch.mapping
    operations.map_columns(
        batch, mapping["columns"], options=mapping["options"],
        fixed={**mapping["fixed"], **fixed}, language=mapping["language"],
        date_order=mapping["date_order"],
    )  # fmt: skip
    operations.map_values(batch, batch.mapping["values"])


def test_a_template_with_a_fixed_country_reproduces_on_the_next_file(db):
    first = stage([["1/03/2024 10:00:00", "Clínica Lima", "2", "Sí", "Muy interesado", "Sí",
                    "a@lima.example"]])  # fmt: skip
    map_as_proposed(first, country="PE")
    templates.save_template(first, "Peru monthly", created_by_id=None)
    check_and_commit(first)

    second = stage([["2/04/2024 11:00:00", "Oncología Cusco", "3", "Sí", "Algo interesado",
                     "Sí", "b@cusco.example"]])  # fmt: skip
    assert second.reading["template"] == "Peru monthly"
    assert second.mapping["fixed"] == {"country": "PE"}
    assert {k: second.mapping[k] for k in ("columns", "language")} == {
        k: first.mapping[k] for k in ("columns", "language")
    }
    # The template's answers, and this file's new one suggested.
    assert second.mapping["values"]["interest_qopi"] == {
        "muyinteresado": "very",
        "algointeresado": "somewhat",
    }
    # No choice made: the proposed mapping as it stands.
    map_as_proposed(second)
    check_and_commit(second)
    assert second.result["imported"] == 1
    countries = db.session.scalars(select(Practice.country_code)).all()
    assert sorted(countries) == ["PE", "PE"]
    assert tallies.eligible_counts()["PE"]["QOPI"] == 2
    saved = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import_template.save"))
    assert saved.changes == {"name": [None, "Peru monthly"]}


def existing_practice(db) -> Practice:
    intake_response(
        {"practice_name": "Clínica Lima", "country": "PE", "name": "Ana", "email": "a@lima.example",
         "asco_members_count": 2, "reads_english": "yes", "interest_qopi": "very",
         "consent": True},
        language="es", submission_token=uuid.uuid4().hex, consent_at=NOW,
        privacy_notice_version="2026-11", submitted_at=datetime(2020, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    db.session.commit()
    return db.session.scalar(select(Practice))


def state(db) -> dict:
    return {
        "eligible": tallies.eligible_counts(),
        "readiness": country_readiness("PE"),
        "practices": sorted(
            (p.name, p.asco_members_count, p.reads_english)
            for p in db.session.scalars(select(Practice))
        ),
        "contacts": sorted((c.name, c.email) for c in db.session.scalars(select(Contact))),
    }


def test_undo_takes_back_the_import_and_leaves_what_staff_changed_since(db):
    existing_practice(db)
    before = state(db)
    assert before["eligible"] == {"PE": {"QOPI": 1}}
    batch = stage(
        [
            # The existing practice, its contact renamed and no longer eligible (no members).
            [
                "1/03/2025 10:00:00",
                "Clínica Lima",
                "ninguno",
                "Sí",
                "Muy interesado",
                "Sí",
                "a@lima.example",
            ],
            [
                "1/03/2025 10:00:00",
                "Oncología Cusco",
                "3",
                "Sí",
                "Muy interesado",
                "Sí",
                "b@cusco.example",
            ],
            [
                "1/03/2025 10:00:00",
                "Centro Arequipa",
                "3",
                "Sí",
                "Muy interesado",
                "Sí",
                "c@arequipa.example",
            ],
        ]  # fmt: skip
    )
    map_as_proposed(batch, country="PE")
    check_and_commit(batch)
    assert tallies.eligible_counts() == {"PE": {"QOPI": 2}}
    # Staff rename one imported practice after the commit (an audited write).
    arequipa = db.session.scalar(select(Practice).where(Practice.name == "Centro Arequipa"))
    update_practice(arequipa, name="Centro Arequipa Sur", city=None, practice_type=None)
    db.session.commit()

    result = undoing.undo_import(batch)
    db.session.commit()

    assert batch.status == "undone"
    assert result["kept"] == [
        {"kind": "practice", "id": arequipa.id, "name": "Centro Arequipa Sur"}
    ]
    after = state(db)
    assert after["contacts"] == before["contacts"]
    assert [p for p in after["practices"] if p[0] != "Centro Arequipa Sur"] == before["practices"]
    assert after["eligible"] == before["eligible"]
    assert after["readiness"] == before["readiness"]
    # The maintained tallies equal a rebuild from the rows.
    tallies.rebuild(db.session.connection())
    assert tallies.eligible_counts() == after["eligible"]
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    undo = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import_batch.undo"))
    assert undo.changes["status"] == ["committed", "undone"]


def test_an_import_past_its_undo_period_cannot_be_undone(db):
    batch = stage([["1/03/2025 10:00:00", "Oncología Cusco", "3", "Sí", "Muy interesado", "Sí",
                    "b@cusco.example"]])  # fmt: skip
    map_as_proposed(batch, country="PE")
    check_and_commit(batch)
    late = batch.committed_at.replace(year=batch.committed_at.year + 1)
    assert not undoing.can_undo(batch, 30, late)
    try:
        undoing.undo_import(batch, days=30, now=late)
    except operations.ImportStateError:
        pass
    else:  # pragma: no cover - the assertion below says what went wrong
        raise AssertionError("undone past its period")
    assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
