"""What the bench's modules share: where things are, the pages and exports measured, the
settings read from the environment, the tree of results, and the progress log."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
USER_AGENT = "crm-bench"
STAFF_PASSWORD = "bench: correct horse battery staple 7"  # noqa: S105 (throwaway bench account)
#: Staff pages measured: name → path ({country} is the country with the most responses).
PAGES = {
    "readiness board": "/staff/dashboard/board",
    "dashboard": "/staff/dashboard/",
    "country page": "/staff/countries/{country}",
    "country list": "/staff/countries/",
}
EXPORTS = {"CSV": "/staff/data/export/responses.csv", "XLSX": "/staff/data/export/responses.xlsx"}


@dataclass(frozen=True)
class Settings:
    """The ``BENCH_*`` settings (see ``bench/run.py``)."""

    sizes: tuple[int, ...]
    databases: tuple[str, ...]
    workers: tuple[int, ...]
    seconds: int
    soak_seconds: int
    workdir: Path
    measures: tuple[str, ...] = ("pages", "decisions", "exports", "submits", "soak")

    @classmethod
    def from_environment(cls) -> Settings:
        def numbers(name: str, default: str) -> tuple[int, ...]:
            raw = os.environ.get(name) or default
            return tuple(int(part.replace("_", "")) for part in raw.split(",") if part.strip())

        return cls(
            sizes=numbers("BENCH_SIZES", "10000,100000,1000000"),
            databases=tuple(
                part.strip()
                for part in (os.environ.get("BENCH_DATABASES") or "sqlite,postgresql").split(",")
                if part.strip()
            ),
            workers=numbers("BENCH_WORKERS", "2,4"),
            seconds=int(os.environ.get("BENCH_SECONDS") or 10),
            soak_seconds=int(os.environ.get("BENCH_SOAK_SECONDS") or 120),
            workdir=Path(os.environ.get("BENCH_WORKDIR") or "/tmp/crm-bench"),
            measures=tuple(
                part.strip()
                for part in (
                    os.environ.get("BENCH_MEASURES") or "pages,decisions,exports,submits,soak"
                ).split(",")
                if part.strip()
            ),
        )


@dataclass
class Run:
    """Everything measured, as a JSON-able tree: {database: {size: {...}}}."""

    started: str
    settings: dict
    figures: dict = field(default_factory=dict)

    def put(self, database: str, size: int | str, key: str, value) -> None:
        self.figures.setdefault(database, {}).setdefault(str(size), {})[key] = value


def log(message: str) -> None:
    """A progress line on stderr, with the time."""
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)
