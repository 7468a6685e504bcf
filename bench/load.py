"""The load: wrk runs, the concurrent-submit soak, and the survey forms they post."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from bench import generate
from bench.common import ROOT, USER_AGENT

WRK_SCRIPT = ROOT / "bench" / "wrk.lua"


def wrk(
    port: int,
    path: str,
    *,
    seconds: int,
    connections: int,
    cookie: str = "",
    bodies: Path | None = None,
    prefix: str = "",
) -> dict:
    """One wrk run (1 thread) against 127.0.0.1; its counts by status and latency percentiles."""
    command = [
        "wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "60s",
        "-s", str(WRK_SCRIPT), "-H", f"User-Agent: {USER_AGENT}",
    ]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    if bodies:
        command += ["--", str(bodies), prefix]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("BENCH-JSON "))
    result = json.loads(line.removeprefix("BENCH-JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["p50_ms"], result["p99_ms"] = result["p50_us"] / 1000, result["p99_us"] / 1000
    return result


#: Rounds of a paired measure (:func:`paired`).
PAIRED_ROUNDS = 5


def paired(measure: Callable[..., dict], yardstick: Callable[..., dict], seconds: int) -> dict:
    """``measure`` and the CPU yardstick in turn, :data:`PAIRED_ROUNDS` times, each for
    ``seconds`` divided among the rounds (at least 3 s); both are callables taking ``seconds=`` and
    returning :func:`wrk`'s figures. Returns the figures of the measure's median round with
    ``per_yardstick``: the median over rounds of its p50 over the yardstick's p50 in the same
    round, and ``rounds``. Other load on the machine that comes and goes slows both halves of a
    round alike, so a growth read from ``per_yardstick`` is the endpoint's own; a yardstick
    measured once, minutes apart from the endpoint, moved the growth by up to 40 % between
    runs (docs/decisions.md#bench-growth)."""
    each = max(3, seconds // PAIRED_ROUNDS)
    rounds = []
    for _round in range(PAIRED_ROUNDS):
        calibration = yardstick(seconds=each)
        result = measure(seconds=each)
        if result.get("p50_ms") and calibration.get("p50_ms"):
            rounds.append((result["p50_ms"] / calibration["p50_ms"], result))
    if not rounds:
        return result
    # One round's own figures, never an average of two rounds beside another round's p50.
    rounds.sort(key=lambda pair: pair[0])
    ratio, median_result = rounds[(len(rounds) - 1) // 2]
    return {
        **median_result,
        "per_yardstick": ratio,
        "rounds": sorted(r for r, _result in rounds),
        "rounds_without_p50": PAIRED_ROUNDS - len(rounds),
    }


def growth_figures(
    measured: dict, first: dict, yardstick: dict | None, first_yardstick: dict | None
) -> tuple[float, float, float] | None:
    """``(growth, machine's growth, net growth)`` of a p50 from the smallest size's figures
    ``first`` to ``measured``: net of the yardstick measured in the same rounds
    (``per_yardstick``, :func:`bench.load.paired`) where both have it, else of the yardstick
    measured once per size; None when a figure is missing."""
    if not (measured.get("p50_ms") and first.get("p50_ms")):
        return None
    growth = measured["p50_ms"] / first["p50_ms"]
    if measured.get("per_yardstick") and first.get("per_yardstick"):
        net = measured["per_yardstick"] / first["per_yardstick"]
        return growth, growth / net, net
    if (yardstick or {}).get("p50_ms") and (first_yardstick or {}).get("p50_ms"):
        machine = yardstick["p50_ms"] / first_yardstick["p50_ms"]
        return growth, machine, growth / machine
    return None


async def _post_until(
    port: int, bodies: list[str], prefix: str, number: int, deadline: float, tally: dict
) -> None:
    sent = 0
    while time.monotonic() < deadline:
        sent += 1
        token = f"{prefix}-{number:02d}-{sent:010d}"
        body = bodies[(sent * 7 + number) % len(bodies)].replace("@TOKEN@", token).encode()
        head = (
            f"POST /en/survey HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"User-Agent: {USER_AGENT}\r\nCookie: {tally['cookie']}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode()
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 60)
            writer.write(head + body)
            await writer.drain()
            status_line = await asyncio.wait_for(reader.readline(), 120)
            await asyncio.wait_for(reader.read(), 120)
            writer.close()
            status = int(status_line.split()[1])
        except (OSError, TimeoutError, IndexError, ValueError):
            status = 0
        tally["latencies"].append(time.perf_counter() - started)
        tally["statuses"][status] += 1


def soak_load(port: int, cookie: str, bodies: list[str], prefix: str, seconds: int,
              connections: int) -> dict:  # fmt: skip
    """Concurrent submits for ``seconds``: every answer is awaited, so the counts are exact
    (wrk drops the answers still in flight when its time is up)."""
    tally = {"cookie": cookie, "latencies": [], "statuses": Counter()}
    deadline = time.monotonic() + seconds

    async def run() -> None:
        await asyncio.gather(
            *(_post_until(port, bodies, prefix, n, deadline, tally) for n in range(connections))
        )

    started = time.perf_counter()
    asyncio.run(run())
    elapsed = time.perf_counter() - started
    latencies = sorted(tally["latencies"])
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "statuses": {str(k): v for k, v in sorted(tally["statuses"].items())},
        "p50_ms": latencies[len(latencies) // 2] * 1000 if latencies else None,
        "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000 if latencies else None,
    }


def form_bodies(database_url: str, csrf: str, count: int = 4000, seed: int = 11) -> list[str]:
    """Url-encoded valid survey forms, ``@TOKEN@`` where the one-time token goes: three in four
    from existing practices (a repeat response: matched and linked), one in four a new practice
    (matching, then the suggestion scan over its country's practices)."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        existing = conn.execute(
            text(
                "SELECT p.name, p.city, p.country_code, c.email FROM practices p "
                "JOIN contacts c ON c.practice_id = p.id ORDER BY p.id DESC LIMIT 20000"
            )
        ).all()
        reference = generate.read_reference(conn, seed)
    engine.dispose()
    rng = random.Random(seed)
    maker = generate.Generator(reference, None, seed)  # type: ignore[arg-type]
    bodies = []
    for index in range(count):
        if existing and index % 4:
            name, city, country, email = rng.choice(existing)
            person = maker.person(country, 50_000_000 + index)
            person.update(practice_name=name, city=city, email=email)
        else:
            person = maker.person(maker.country(), 50_000_000 + index)
        facts = rng.choice(maker.facts).answers
        opinions = rng.choice(maker.opinions).answers
        fields = {**person, **facts, **opinions}
        fields = {k: v for k, v in fields.items() if v is not None and v != "" and v != []}
        fields.update(consent="y", permission_to_contact="y", website="", csrf_token=csrf)
        bodies.append(urlencode(fields, doseq=True) + "&submission_token=@TOKEN@")
    return bodies


def stored_with_prefix(database_url: str, prefix: str) -> int:
    """Responses stored whose one-time token starts with ``prefix``."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT COUNT(*) FROM survey_responses WHERE submission_token LIKE :p"),
            {"p": f"{prefix}-%"},
        ).scalar()
    engine.dispose()
    return count
