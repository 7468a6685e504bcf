"""``flask backup`` and ``flask restore`` (docs/deploy.md#backups): a snapshot with its manifest,
loaded into an empty database and checked table by table, on the test's database (SQLite, or
PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from crm.core import backups
from tests.surveys.support import valid_form


def count(url: str, table: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()  # noqa: S608
    engine.dispose()
    return rows


def test_a_backup_restores_into_an_empty_database(
    app, client, database_url, empty_database_url, tmp_path
):
    for _ in range(3):
        assert client.post("/pt/survey", data=valid_form()).status_code == 303
    folder = tmp_path / "backup"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(folder)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"]["survey_responses"] == 3
    assert manifest["tables"]["countries"] > 200
    assert manifest["revision"] == count_revision(database_url)
    assert (folder / manifest["file"]).stat().st_size > 0

    app.config["SQLALCHEMY_DATABASE_URI"] = empty_database_url
    result = runner.invoke(args=["restore", str(folder)])
    assert result.exit_code == 0, result.output
    assert "every table has the rows of the backup" in result.output
    assert count(empty_database_url, "survey_responses") == 3
    assert count(empty_database_url, "practices") == count(database_url, "practices")


def count_revision(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    return revision


def test_a_restore_refuses_a_database_that_is_not_empty(app, database_url, tmp_path):
    folder = tmp_path / "backup"
    backups.backup(database_url, folder)
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.restore(database_url, folder)


def test_a_restore_that_does_not_match_its_manifest_fails(
    database_url, empty_database_url, tmp_path
):
    folder = tmp_path / "backup"
    backups.backup(database_url, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["countries"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(backups.BackupError, match=r"countries: \d+ in the backup, \d+ restored"):
        backups.restore(empty_database_url, folder)


def test_a_backup_never_overwrites(database_url, tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.backup(database_url, folder)


def test_a_folder_without_manifest_is_not_a_backup(empty_database_url, tmp_path):
    with pytest.raises(backups.BackupError, match="not a backup"):
        backups.restore(empty_database_url, tmp_path)


def test_only_the_owner_reads_a_backup(app, database_url, tmp_path):
    folder = tmp_path / "backup"
    backups.backup(database_url, folder)
    assert folder.stat().st_mode & 0o777 == 0o700
    files = list(folder.iterdir())
    assert files
    assert {path.stat().st_mode & 0o777 for path in files} == {0o600}
