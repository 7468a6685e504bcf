"""The staff workbench's figures: the global search beside the baseline's GROUP BY, and the
merge of two practices with 1,000 responses each (docs/decisions.md#search-index,
docs/domain.md#merges). ``BENCH_MEASURES=search,merge``.

``python -m bench.workbench merge DATABASE_URL`` (run by :func:`measure_merge` in a process of
its own, on the generated database) prints one JSON line: the seconds the merge and its commit
took, and the rows moved.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import func, select

from bench import generate
from bench.client import http_request, login
from bench.common import ROOT, Run, Settings, log
from bench.load import wrk
from bench.servers import Server, app_environment

APP_TARGET = "app:create_app()"
BASELINE_TARGET = "bench.baseline:app"
#: Queries measured: a person's name typed without accents (many matches), and the first
#: letters of the commonest practice word (the most matches there are).
SEARCHES = {"name": "lucia fernandez", "common word": "hosp"}
#: Responses per practice in the merge measure.
MERGE_RESPONSES = 1000


def measure_search(run: Run, settings: Settings, kind: str, size: int, url: str, logs: Path):
    """The search page under wrk for each query of :data:`SEARCHES`, per worker count, beside
    the baseline's GROUP BY measured minutes apart on the same database."""
    env = app_environment(url)
    for workers in settings.workers:
        with (
            Server(APP_TARGET, env, workers, logs / "app.log") as app,
            Server(BASELINE_TARGET, env, workers, logs / "baseline.log") as baseline,
        ):
            cookie = login(app.port, generate.STAFF_EMAIL)
            for name, query in SEARCHES.items():
                path = f"/staff/search?q={quote(query)}"
                status, _headers, _body = http_request(app.port, "GET", path,
                                                       headers={"Cookie": cookie})  # fmt: skip
                if status != 200:
                    log(f"  search {name}: answered {status}, not measured")
                    run.put(kind, size, f"search {name} w{workers}", {"status": status})
                    continue
                wrk(app.port, path, seconds=2, connections=workers, cookie=cookie)
                result = wrk(app.port, path, seconds=settings.seconds, connections=workers,
                             cookie=cookie)  # fmt: skip
                log(f"  search {name!r} ({workers} workers): p50 {result['p50_ms']:.1f} ms, "
                    f"p99 {result['p99_ms']:.1f} ms")  # fmt: skip
                run.put(kind, size, f"search {name} w{workers}", result)
            wrk(baseline.port, "/counts", seconds=2, connections=workers)
            result = _until_answered(baseline.port, "/counts", settings.seconds, workers)
            log(f"  baseline GROUP BY ({workers} workers): p50 {result['p50_ms']:.1f} ms")
            run.put(kind, size, f"search baseline group-by w{workers}", result)


def _until_answered(port: int, path: str, seconds: int, connections: int) -> dict:
    """wrk on ``path`` for ``seconds``, then twice as long while no request finished in time
    (the GROUP BY at 1M on a busy machine can take longer than a short run: wrk counts only
    the requests it saw end, and would report a p50 of 0)."""
    result = wrk(port, path, seconds=seconds, connections=connections)
    for _ in range(3):
        if result["requests"] >= connections:
            break
        seconds *= 2
        log(f"  {path}: {result['requests']} answered, measured again for {seconds} s")
        result = wrk(port, path, seconds=seconds, connections=connections)
    return result


def measure_merge(run: Run, kind: str, size: int, url: str) -> None:
    """Two practices of 1,000 responses each added to the generated database, then merged:
    the seconds of the merge and its commit (tallies and readiness included)."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.workbench", "merge", url],
        cwd=ROOT, env=app_environment(url), check=True, capture_output=True, text=True,
    )  # fmt: skip
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    log(f"  merge of two practices with {MERGE_RESPONSES:,} responses each: {result}")
    run.put(kind, size, "merge", result)


def _practice_with_responses(name: str, email: str, count: int):
    """A practice with ``count`` responses, all from one email (filed under it, as intake
    does); returns it."""
    from crm.core.extensions import db
    from crm.responses.intake import intake_response

    start = datetime(2026, 6, 1, tzinfo=UTC)
    practice = None
    for n in range(count):
        answers = {
            "name": "Bench Merge", "email": email, "practice_name": name, "country": "CO",
            "city": "Bogotá", "outpatient_hem_onc": "yes", "asco_members_count": 2,
            "reads_english": "yes", "interest_qopi": "very", "consent": True,
        }  # fmt: skip
        response = intake_response(answers, language="es", submission_token=uuid.uuid4().hex,
                                   consent_at=start, privacy_notice_version="2026-11-29",
                                   submitted_at=start + timedelta(minutes=n)).response  # fmt: skip
        practice = response.practice
        if n % 200 == 199:
            db.session.commit()
    db.session.commit()
    return practice


def _merge(database_url: str) -> dict:
    from app import create_app
    from crm.core.extensions import db
    from crm.responses.merging import merge_practices
    from crm.responses.models import SurveyResponse

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        survivor = _practice_with_responses("Hospital Bench Kalomera", "a@kalomera.example",
                                            MERGE_RESPONSES)  # fmt: skip
        merged = _practice_with_responses("Hosp. Bench Kalomera", "b@kalomera-old.example",
                                          MERGE_RESPONSES)  # fmt: skip
        counted = select(func.count()).select_from(SurveyResponse)
        moving = db.session.scalar(counted.where(SurveyResponse.practice_id == merged.id))
        started = time.perf_counter()
        merge_practices(merged, survivor)
        db.session.commit()
        seconds = time.perf_counter() - started
        kept = db.session.scalar(counted.where(SurveyResponse.practice_id == survivor.id))
        return {"seconds": seconds, "responses_moved": moving, "survivor_responses": kept}


if __name__ == "__main__":
    if sys.argv[1:2] == ["merge"]:
        print(json.dumps(_merge(sys.argv[2])))
