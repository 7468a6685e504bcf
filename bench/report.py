"""The bench's table: one line per figure, with its baseline, ratio, target and verdict."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from bench.common import EXPORTS, PAGES, Run, Settings
from bench.decisions import decision_lines
from bench.load import growth_figures
from bench.operations import operations_lines


@dataclass(frozen=True)
class Line:
    """One line of the table, every cell already a string."""

    database: str
    size: str
    measure: str
    app: str
    baseline: str
    ratio: str
    target: str
    verdict: str


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


#: Adds one line of the table: measure, app figure, then optionally baseline, ratio, target, and
#: whether the target is met (None: no verdict).
AddLine = Callable[..., None]


def report_lines(run: Run, settings: Settings) -> list[Line]:
    """The table: one line per figure, its baseline, ratio, target and verdict; per database and
    size, in this order: generation, submits, pages, decisions, exports, the soak, imports."""
    lines: list[Line] = []

    def add(db, size, measure, app, baseline="", ratio=None, target="", ok=None):
        verdict = "" if ok is None else ("PASS" if ok else "MISS")
        shown_ratio = _fmt(ratio, 2) if ratio is not None else ""
        lines.append(Line(db, str(size), measure, _fmt(app), _fmt(baseline), shown_ratio,
                          target, verdict))  # fmt: skip

    for db, by_size in run.figures.items():
        sizes = sorted(int(s) for s in by_size if s.isdigit())
        smallest, largest = (sizes[0], sizes[-1]) if sizes else (None, None)
        for size in sizes:
            fig = by_size[str(size)]
            row = functools.partial(add, db, size)
            gen = fig.get("generate")
            if gen:
                row("generate (s)", gen["seconds"], target=f"{gen['rows']:,} rows")
            _submit_lines(row, fig, settings.workers)
            growth_from = by_size[str(smallest)] if size == largest and size != smallest else None
            _page_lines(row, fig, settings.workers, smallest, growth_from)
            decision_lines(row, fig, settings.workers, smallest, growth_from)
            _export_lines(row, fig)
            _soak_lines(row, fig.get("soak"))
            _import_lines(row, fig)
            _workbench_lines(row, fig, settings.workers, size == largest)
            operations_lines(row, fig, by_size[str(smallest)] if size != smallest else None)
    return lines


def _submit_lines(row: AddLine, fig: dict, workers: Sequence[int]) -> None:
    """Submits per second and p99 against the baseline's, and the worker's filing after."""
    for w in workers:
        app, base = fig.get(f"submit app w{w}"), fig.get(f"submit baseline w{w}")
        if not (app and base):
            continue
        ratio = app["rps"] / base["rps"] if base["rps"] else None
        row(f"submit req/s, {w} workers", app["rps"], base["rps"], ratio,
            ">= 0.50", ratio is not None and ratio >= 0.5)  # fmt: skip
        ratio = app["p99_ms"] / base["p99_ms"] if base["p99_ms"] else None
        row(f"submit p99 ms, {w} workers", app["p99_ms"], base["p99_ms"],
            ratio, "< 2", ratio is not None and ratio < 2)  # fmt: skip
        if "drain_seconds" in app:
            row(f"submit: waiting to be filed after the load / filed "
                f"after (s), {w} workers", f"{app['waiting_after_load']:,}",
                _fmt(app["drain_seconds"]), None, "all filed",
                app["left_unfiled"] == 0)  # fmt: skip


def _page_lines(
    row: AddLine, fig: dict, workers: Sequence[int], smallest: int, growth_from: dict | None
) -> None:
    """Each page's p50 against the baseline's GROUP BY; at the largest size (``growth_from``:
    the smallest size's figures) its growth since the smallest, net of the machine's."""
    for w in workers:
        base = fig.get(f"baseline group-by w{w}")
        yardstick = fig.get(f"yardstick w{w}")
        for name in PAGES:
            page = fig.get(f"page {name} w{w}")
            if not page or not page.get("p50_ms"):  # not measured, or nothing answered in time
                continue
            largest_here = growth_from is not None
            ratio = page["p50_ms"] / base["p50_ms"] if base and base.get("p50_ms") else None
            row(f"{name} p50 ms / GROUP BY, {w} workers", page["p50_ms"],
                base["p50_ms"] if base else None, ratio,
                "<= 1" if largest_here else "",
                ratio <= 1 if largest_here and ratio is not None else None)  # fmt: skip
            if not largest_here:
                continue
            first = growth_from.get(f"page {name} w{w}") or {}
            first_yardstick = growth_from.get(f"yardstick w{w}") or {}
            figures = growth_figures(page, first, yardstick, first_yardstick)
            if figures:
                growth, machine, net = figures
                row(f"{name} growth from {smallest:,}, {w} workers", growth,
                    machine, net, "<= 1.5", net <= 1.5)  # fmt: skip
        if base:
            row(f"baseline GROUP BY p50 ms, {w} workers", base["p50_ms"])


def _export_lines(row: AddLine, fig: dict) -> None:
    """Each export's time and peak memory; CSV's against pandas' ``read_sql`` + ``to_csv``."""
    pandas = fig.get("export pandas")
    for name in EXPORTS:
        export = fig.get(f"export {name}")
        if not export:
            continue
        if export["status"] != 200:
            row(f"{name} export", f"HTTP {export['status']}")
            continue
        ratio = export["seconds"] / pandas["seconds"] if pandas and name == "CSV" else None
        row(f"{name} export s", export["seconds"],
            pandas["seconds"] if name == "CSV" and pandas else "", ratio,
            "<= 1.5" if name == "CSV" else "", ratio <= 1.5 if ratio else None)  # fmt: skip
        row(f"{name} export peak RSS MiB", export["peak_rss_mib"],
            pandas["peak_rss_mib"] if name == "CSV" and pandas else "", None,
            "< 400" if name == "CSV" else "",
            export["peak_rss_mib"] < 400 if name == "CSV" else None)  # fmt: skip


def _soak_lines(row: AddLine, soak: dict | None) -> None:
    """The soak: every 303 answer stored and filed, no 5xx, no lock error, no re-shown form."""
    if not soak:
        return
    ok = (
        soak["stored"] == soak["accepted"]
        and soak.get("left_unfiled", 0) == 0
        and soak["2xx"] == 0
        and soak["5xx"] == 0
        and soak["database_is_locked"] == 0
        and soak["failed_connections"] == 0
    )
    stored = f"{soak['stored']:,} / {soak['accepted']:,}"
    row(f"soak {soak['seconds']:.0f} s, 4 workers: stored / 303 answers",
        stored, "", None, "equal", ok)  # fmt: skip
    row("soak: 5xx, 'database is locked', re-shown forms",
        f"{soak['5xx']}, {soak['database_is_locked']}, {soak['2xx']}", "", None,
        "0, 0, 0", ok)  # fmt: skip
    if "drain_seconds" in soak:
        row("soak: waiting to be filed at its end / filed after (s)",
            f"{soak['waiting_after_load']:,}", _fmt(soak["drain_seconds"]), None,
            "all filed", soak["left_unfiled"] == 0)  # fmt: skip


#: What one step of an import may take and the most memory it may use
#: (docs/decisions.md#import-chunks).
IMPORT_SECONDS, IMPORT_RSS_MIB = 60, 400


def _import_lines(row: AddLine, fig: dict) -> None:
    """Each measured import (``bench.imports``): the preview (staging and checking every row)
    and the commit against a minute, the peak memory against 400 MiB, every valid row stored."""
    for key in sorted((k for k in fig if k.startswith("import ")), key=lambda k: int(k[7:])):
        result, rows = fig[key], int(key[7:])
        preview = result["stage_seconds"] + result["check_seconds"]
        for step, seconds in (("preview", preview), ("commit", result["commit_seconds"])):
            row(f"import of {rows:,} rows: {step} s", round(seconds, 1), "", None,
                f"<= {IMPORT_SECONDS}", seconds <= IMPORT_SECONDS)  # fmt: skip
        row(f"import of {rows:,} rows: peak RSS MiB", result["peak_rss_mib"], "", None,
            f"< {IMPORT_RSS_MIB}", result["peak_rss_mib"] < IMPORT_RSS_MIB)  # fmt: skip
        row(f"import of {rows:,} rows: stored / valid",
            f"{result['imported']:,} / {result['valid']:,}", "", None, "equal",
            result["imported"] == result["valid"])  # fmt: skip


def render_table(lines: Sequence[Line], markdown: bool = False) -> str:
    """The table as aligned text, or as Markdown."""
    headers = Line("database", "responses", "measure", "app", "baseline", "ratio", "target", "")
    rows = [asdict(headers).values(), *(asdict(line).values() for line in lines)]
    rows = [list(r) for r in rows]
    if markdown:
        out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
        return "\n".join(out)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows)


def _workbench_lines(row: AddLine, fig: dict, workers: Sequence[int], largest: bool) -> None:
    """The search's p50 against the baseline's GROUP BY (target at the largest size), and the
    merge of two practices of 1,000 responses each (``bench/workbench.py``)."""
    from bench.workbench import SEARCHES

    for w in workers:
        base = fig.get(f"search baseline group-by w{w}")
        for name in SEARCHES:
            found = fig.get(f"search {name} w{w}")
            if not found or "p50_ms" not in found or not (base and base.get("p50_ms")):
                continue
            ratio = found["p50_ms"] / base["p50_ms"]
            row(f"search {name!r} p50 ms / GROUP BY, {w} workers", found["p50_ms"],
                base["p50_ms"], ratio, "<= 1" if largest else "",
                ratio <= 1 if largest else None)  # fmt: skip
    merge = fig.get("merge")
    if merge:
        moved = merge.get("survivor_responses")
        row("merge of 2 practices x 1,000 responses (s)", merge["seconds"],
            target=f"{moved:,} responses on the survivor" if moved else "")  # fmt: skip
