"""The bench's table reads each measured import against its targets
(docs/decisions.md#import-chunks): a minute for the preview and for the commit, 400 MiB."""

from __future__ import annotations

from pathlib import Path

from bench.common import Run, Settings
from bench.report import report_lines

SETTINGS = Settings(sizes=(10_000,), databases=("sqlite",), workers=(2,), seconds=1,
                    soak_seconds=1, workdir=Path("bench-workdir"),
                    measures=("imports",))  # fmt: skip


def _import(stage: float, check: float, commit: float, rss: int, imported: int = 20) -> dict:
    return {"rows": 20, "stage_seconds": stage, "check_seconds": check, "valid": 20,
            "commit_seconds": commit, "imported": imported, "peak_rss_mib": rss}  # fmt: skip


def _verdicts(run: Run) -> dict[str, tuple[str, str]]:
    return {line.measure: (line.app, line.verdict) for line in report_lines(run, SETTINGS)}


def test_an_import_within_a_minute_and_400_mib_passes_each_line():
    run = Run(started="now", settings={})
    run.put("sqlite", 10_000, "import 20000", _import(2.0, 50.0, 59.0, 250))
    lines = _verdicts(run)
    assert lines["import of 20,000 rows: preview s"] == ("52.0", "PASS")
    assert lines["import of 20,000 rows: commit s"] == ("59.0", "PASS")
    assert lines["import of 20,000 rows: peak RSS MiB"] == ("250", "PASS")
    assert lines["import of 20,000 rows: stored / valid"] == ("20 / 20", "PASS")


def test_the_preview_counts_staging_and_a_slow_commit_or_a_lost_row_misses():
    run = Run(started="now", settings={})
    run.put("sqlite", 10_000, "import 100000", _import(15.0, 50.0, 600.0, 420, imported=19))
    lines = _verdicts(run)
    assert lines["import of 100,000 rows: preview s"] == ("65.0", "MISS")
    assert lines["import of 100,000 rows: commit s"] == ("600.0", "MISS")
    assert lines["import of 100,000 rows: peak RSS MiB"] == ("420", "MISS")
    assert lines["import of 100,000 rows: stored / valid"][1] == "MISS"
