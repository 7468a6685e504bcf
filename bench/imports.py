"""The legacy import of a generated file of ``rows`` rows (docs/decisions.md#import-chunks):
staging (read and stored), checking every row (the preview) and committing them, a chunk per
transaction as the wizard's background step does, with the process's peak memory.

Run in a process of its own (``python -m bench.imports DATABASE_URL ROWS``) so its peak RSS is
the import's alone; prints one JSON line. The file looks like an older export of our survey:
words for numbers, country names, a consent column, the file's own submission id.
"""

from __future__ import annotations

import csv
import io
import json
import random
import resource
import sys
import time

HEADINGS = ["id", "Marca temporal", "Nombre del consultorio", "País", "Ciudad",
            "Número de miembros de ASCO", "¿Su personal puede leer y entender inglés?",
            "Interés en QOPI", "Consentimiento", "Correo"]  # fmt: skip
COUNTRIES = ("Perú", "México", "Estados Unidos Mexicanos", "Argentina", "Chile", "Colombia")
MEMBERS = ("2", "cerca de 3", "no sabe", "5", "2-3", "~4")


def legacy_file(rows: int, seed: int = 7) -> bytes:
    """A CSV of ``rows`` legacy responses (distinct practices, some in words)."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    for n in range(rows):
        writer.writerow([
            f"bench-{seed}-{n}", f"{1 + n % 28}/03/2024 10:{n % 60:02d}:00",
            f"Consultorio de prueba {n}", rng.choice(COUNTRIES), f"Ciudad {n % 97}",
            rng.choice(MEMBERS), rng.choice(("Sí", "No")),
            rng.choice(("Muy interesado", "Algo interesado", "Nada interesado")), "Sí",
            f"persona{n}@bench.example",
        ])  # fmt: skip
    return out.getvalue().encode()


def measure(rows: int) -> dict:
    """Seconds of each step and the peak RSS (MiB) of importing ``rows`` rows."""
    from app import create_app
    from crm.core.extensions import db
    from crm.data.imports import checking, committing, jobs, operations
    from crm.data.imports.issues import ImportLimits

    content = legacy_file(rows)
    app = create_app({"IMPORT_MAX_ROWS": rows})
    figures: dict = {"rows": rows, "file_bytes": len(content)}
    with app.test_request_context():
        started = time.perf_counter()
        batch = operations.stage_import(
            "bench.csv", content, header_rows=None, language="es",
            limits=ImportLimits(max_bytes=len(content) + 1, max_rows=rows), created_by_id=None,
        )  # fmt: skip
        db.session.commit()
        mapping = batch.mapping
        operations.map_columns(batch, mapping["columns"], options=mapping["options"],
                               fixed=mapping["fixed"], language=mapping["language"],
                               date_order="auto")  # fmt: skip
        operations.map_values(batch, batch.mapping["values"])
        checking.start_check(batch)
        db.session.commit()
        figures["stage_seconds"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        jobs.run_check(batch.id)
        figures["check_seconds"] = round(time.perf_counter() - started, 2)
        batch = db.session.get(type(batch), batch.id)
        figures["valid"] = batch.preview["counts"]["valid"]
        started = time.perf_counter()
        committing.start_commit(batch, skip_invalid=True)
        db.session.commit()
        jobs.run_commit(batch.id)
        figures["commit_seconds"] = round(time.perf_counter() - started, 2)
        figures["imported"] = db.session.get(type(batch), batch.id).result.get("imported")
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return figures


if __name__ == "__main__":
    import os

    os.environ["DATABASE_URL"] = sys.argv[1]
    print(json.dumps(measure(int(sys.argv[2]))))
