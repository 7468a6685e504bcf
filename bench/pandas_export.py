"""The export baseline: pandas ``read_sql`` of every response, then ``to_csv``, in one go.

``python -m bench.pandas_export DATABASE_URL OUT.csv`` prints one JSON line: rows, seconds (the
read and the write, not the interpreter's start) and the process's peak RSS in MiB.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import pandas as pd
from sqlalchemy import create_engine

#: The columns the app's response export reads (answers as their JSON text).
QUERY = (
    "SELECT id, submitted_at, language, source, triage_status, practice_id, "
    "CAST(answers AS TEXT) AS answers FROM survey_responses ORDER BY id"
)


def main(database_url: str, out: str) -> None:
    engine = create_engine(database_url)
    started = time.perf_counter()
    with engine.connect() as conn:
        frame = pd.read_sql(QUERY, conn)
    frame.to_csv(out, index=False)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": len(frame), "seconds": seconds, "peak_rss_mib": peak_mib}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
