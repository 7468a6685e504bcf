"""``make bench``: generate 10k/100k/1M responses, serve the app and the bare-Flask baseline under
gunicorn, load them from 127.0.0.1, and print one table of figures and ratios.

Every figure is compared with a baseline measured in the same run on the same database, so the
ratios hold on a noisy, shared machine. Settings (environment variables):

- ``BENCH_SIZES``: responses per database, default ``10000,100000,1000000``;
- ``BENCH_DATABASES``: ``sqlite,postgresql`` (PostgreSQL in a throwaway cluster);
- ``BENCH_WORKERS``: gunicorn worker counts, default ``2,4``;
- ``BENCH_SECONDS``: length of each measured load, default 10;
- ``BENCH_SOAK_SECONDS``: the concurrent-submit soak, default 120 (0 skips it);
- ``BENCH_WORKDIR``: where databases and logs go, default ``/tmp/crm-bench``;
- ``BENCH_MEASURES``: which parts run, default ``pages,decisions,exports,submits,soak``
  (``decisions``: the filtered dashboard and the what-if, ``bench/decisions.py``);
- ``BENCH_MEASURES`` also takes ``search`` and ``merge`` (the staff workbench,
  ``bench/workbench.py``), ``operations`` (``/readyz`` and ``/metrics``,
  ``bench/operations.py``) and ``imports`` (the legacy import of ``BENCH_IMPORT_ROWS`` rows,
  default ``20000,100000``);
- ``BENCH_KEEP``: ``1`` keeps each generated SQLite database under ``<workdir>/kept`` and starts
  the next run from that copy instead of generating again (while working on one measure; the
  copy is keyed by the migrations and the generator, so a schema change generates afresh).

Raw results: ``bench/results/<time>.json`` and ``.md`` (git-ignored).

The parts: ``bench/common.py`` (settings, results), ``client.py`` (HTTP), ``servers.py``
(gunicorn and the worker), ``load.py`` (wrk, the soak, the forms posted), ``measures.py``,
``report.py`` (the table); the data come from ``generate.py`` (with ``vocabulary.py``,
``writers.py`` and ``pipeline.py``), the baseline is ``baseline.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from bench import generate, postgres
from bench.common import RESULTS, ROOT, STAFF_PASSWORD, VENV_BIN, Run, Settings, log
from bench.decisions import measure_decisions
from bench.measures import (
    measure_exports,
    measure_imports,
    measure_pages,
    measure_soak,
    measure_submits,
)
from bench.operations import measure_operations
from bench.report import render_table, report_lines
from bench.servers import app_environment
from bench.workbench import measure_merge, measure_search


def flask_cli(env: dict, *args: str) -> None:
    """Run ``flask --app app <args>`` in ``env``; raises when it fails."""
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "app", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def build_template(env: dict) -> None:
    """Migrate, seed and create the bench's staff account (the documented commands)."""
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "seed")
    flask_cli({**env, "CRM_PASSWORD": STAFF_PASSWORD}, "users", "create", "--email",
              generate.STAFF_EMAIL, "--role", "staff", "--name", "Bench staff")  # fmt: skip


class Databases:
    """Fresh databases of one kind (sqlite files, or databases of a throwaway cluster), each a
    copy of a migrated and seeded template."""

    def __init__(self, kind: str, workdir: Path, cluster: postgres.Cluster | None) -> None:
        self.kind, self.workdir, self.cluster = kind, workdir, cluster
        self.template: str | None = None

    def _sqlite_path(self, name: str) -> Path:
        return self.workdir / f"{name}.sqlite"

    def fresh(self, name: str, env: dict) -> str:
        if self.kind == "sqlite":
            if self.template is None:
                self.template = str(self._sqlite_path("template"))
                self._remove(self._sqlite_path("template"))
                build_template({**env, "DATABASE_URL": f"sqlite:///{self.template}"})
            path = self._sqlite_path(name)
            self._remove(path)
            shutil.copyfile(self.template, path)
            return f"sqlite:///{path}"
        if self.template is None:
            self.template = "bench_template"
            build_template({**env, "DATABASE_URL": self.cluster.create_database(self.template)})
        return self.cluster.create_database(name, template=self.template)

    def _kept_path(self, size: int) -> Path | None:
        """Where ``BENCH_KEEP`` keeps a generated SQLite database of ``size`` responses, keyed
        by the migrations and the generator's code; ``None`` when not keeping."""
        if self.kind != "sqlite" or os.environ.get("BENCH_KEEP") != "1":
            return None
        digest = hashlib.sha256()
        sources = sorted((ROOT / "migrations" / "versions").glob("*.py"))
        generator = ("generate.py", "vocabulary.py", "writers.py", "pipeline.py")
        for source in [*sources, *(ROOT / "bench" / file for file in generator)]:
            digest.update(source.name.encode() + source.read_bytes())
        return self.workdir / "kept" / f"{size}-{digest.hexdigest()[:12]}.sqlite"

    def restore_kept(self, name: str, size: int) -> bool:
        """Replace the fresh database ``name`` by a kept copy; False when there is none."""
        kept = self._kept_path(size)
        if kept is None or not kept.exists():
            return False
        log(f"{self.kind}, {size:,} responses: the kept copy {kept.name}")
        _copy_sqlite(kept, self._sqlite_path(name))
        return True

    def keep(self, name: str, size: int) -> None:
        """Keep a copy of the generated database ``name`` when ``BENCH_KEEP`` asks for it."""
        kept = self._kept_path(size)
        if kept is not None:
            kept.parent.mkdir(parents=True, exist_ok=True)
            _copy_sqlite(self._sqlite_path(name), kept)

    def drop(self, name: str) -> None:
        if self.kind == "sqlite":
            self._remove(self._sqlite_path(name))
        else:
            self.cluster.drop_database(name)

    @staticmethod
    def _remove(path: Path) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _copy_sqlite(source: Path, target: Path) -> None:
    """A whole copy of an SQLite database, its write-ahead log included (the backup API)."""
    Databases._remove(target)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


@contextmanager
def cluster_for(kind: str) -> Iterator[postgres.Cluster | None]:
    """A throwaway PostgreSQL cluster for ``postgresql``, nothing for SQLite."""
    if kind != "postgresql":
        with nullcontext(None) as nothing:
            yield nothing
        return
    with postgres.postgres_cluster() as cluster:
        yield cluster


def bench_database(run: Run, settings: Settings, kind: str) -> None:
    """Every size on one kind of database: a fresh copy of the template, the generated data,
    then each measure asked for; results saved after each size."""
    reason = postgres.available() if kind == "postgresql" else None
    if reason:
        log(f"{kind}: skipped ({reason})")
        run.put(kind, "skipped", "reason", reason)
        return
    with cluster_for(kind) as cluster:
        databases = Databases(kind, settings.workdir, cluster)
        for size in settings.sizes:
            name = f"bench_{size}"
            logs = settings.workdir / f"{kind}-{size}"
            shutil.rmtree(logs, ignore_errors=True)
            logs.mkdir(parents=True)
            url = databases.fresh(name, app_environment(""))
            if not databases.restore_kept(name, size):
                log(f"{kind}, {size:,} responses: generating")
                generated = generate.generate(url, size)
                figures = {
                    "seconds": generated.seconds,
                    "rows": generated.rows,
                    "practices": generated.practices,
                    "by_status": generated.by_status,
                }
                run.put(kind, size, "generate", figures)
                log(f"  {generated.rows:,} rows in {generated.seconds:.1f} s")
                databases.keep(name, size)
            if "pages" in settings.measures:
                measure_pages(run, settings, kind, size, url, logs)
            if "exports" in settings.measures:
                measure_exports(run, kind, size, url, logs, settings.workdir)
            if "decisions" in settings.measures:
                measure_decisions(run, settings, kind, size, url, logs)
            if "submits" in settings.measures:
                measure_submits(run, settings, kind, size, url, logs)
            if "operations" in settings.measures:
                measure_operations(run, settings, kind, size, url, logs)
            if "search" in settings.measures:
                measure_search(run, settings, kind, size, url, logs)
            if "merge" in settings.measures:
                measure_merge(run, kind, size, url)
            if "imports" in settings.measures:
                measure_imports(run, kind, size, url)
            soak = "soak" in settings.measures and settings.soak_seconds
            if soak and size == max(settings.sizes):
                measure_soak(run, settings, kind, size, url, logs)
            save(run, settings)
            databases.drop(name)


def save(run: Run, settings: Settings) -> Path:
    """Write the results so far as ``bench/results/<start>.json`` and ``.md``; returns the
    path without suffix."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = RESULTS / run.started.replace(":", "")
    stem.with_suffix(".json").write_text(json.dumps(asdict(run), indent=1))
    lines = report_lines(run, settings)
    stem.with_suffix(".md").write_text(render_table(lines, markdown=True) + "\n")
    return stem


def main() -> None:
    """``python -m bench``: every database kind of the settings, then the table."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    settings = Settings.from_environment()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `apt-get install -y wrk` (make bench does it)")
    settings.workdir.mkdir(parents=True, exist_ok=True)
    run = Run(
        started=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        settings={k: str(v) for k, v in asdict(settings).items()},
    )
    log(f"bench: {settings}")
    try:
        for kind in settings.databases:
            bench_database(run, settings, kind)
    finally:
        stem = save(run, settings)
        print(render_table(report_lines(run, settings)))
        print(f"\nraw results: {stem}.json, table: {stem}.md")


if __name__ == "__main__":
    main()
