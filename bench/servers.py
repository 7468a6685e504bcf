"""The processes a bench measures: gunicorn servers of the app and of the baseline, the
worker beside them, and how long the worker takes to file what the load stored."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from bench import postgres
from bench.client import http_request
from bench.common import ROOT, VENV_BIN


def stop(process: subprocess.Popen | None) -> None:
    """Terminate ``process`` if it still runs; killed after 30 s."""
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Server:
    """A gunicorn master (sync workers) on a free port of 127.0.0.1, stopped on exit."""

    def __init__(self, target: str, env: dict, workers: int, log_path: Path) -> None:
        self.target, self.env, self.workers, self.log_path = target, env, workers, log_path
        self.port = postgres.free_port()
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"), "-w", str(self.workers),
                "-b", f"127.0.0.1:{self.port}", "--timeout", "3600", "--graceful-timeout", "5",
                self.target,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.target} exited; see {self.log_path}")
            try:
                http_request(self.port, "GET", "/")
                if len(self.worker_pids()) >= self.workers:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn {self.target} did not start; see {self.log_path}")

    def __exit__(self, *exc) -> None:
        stop(self.process)
        self.log_file.close()

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(p) for p in children.read_text().split()] if children.exists() else []


class Worker:
    """``flask worker`` beside the servers, as deployed: it files the responses the submits
    stored (``SURVEY_FILING=worker``) while they arrive, so its CPU and its share of the
    database's write lock are paid for inside the measured load."""

    def __init__(self, env: dict, log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Worker:
        self.log_file = self.log_path.open("ab")
        if os.environ.get("BENCH_WORKER") == "0":  # experiments only: the load without filing
            return self
        self.process = subprocess.Popen(
            [str(VENV_BIN / "flask"), "--app", "app", "worker",
             "--filing-interval", "0.5", "--interval", "3600",
             "--batch-seconds", os.environ.get("BENCH_FILING_BATCH") or "0.02"],
            cwd=ROOT, env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT,
        )  # fmt: skip
        return self

    def __exit__(self, *exc) -> None:
        stop(self.process)
        self.log_file.close()


def waiting_to_be_filed(database_url: str) -> int:
    """Responses stored but not yet filed by the worker."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        count = conn.execute(
            text("SELECT COUNT(*) FROM survey_responses WHERE filed_at IS NULL")
        ).scalar()
    engine.dispose()
    return count


def drain(database_url: str, timeout: float = 900) -> dict:
    """Wait until the worker has filed every stored response; how many waited when the load
    ended and how long the worker took to file them (seconds)."""
    started = time.perf_counter()
    waiting = waiting_to_be_filed(database_url)
    left = waiting
    while left and time.perf_counter() - started < timeout:
        time.sleep(0.25)
        left = waiting_to_be_filed(database_url)
    return {
        "waiting_after_load": waiting,
        "drain_seconds": time.perf_counter() - started,
        "left_unfiled": left,
    }


def peak_rss_mib(pid: int) -> float:
    """The process's peak resident set size so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def app_environment(database_url: str) -> dict:
    """The app's environment on ``database_url``: bench secrets, rate limits out of the way."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "SECURITY_PASSWORD_SALT": "bench-salt",
        "TOTP_SECRET": "bench-totp-secret",
        "SURVEY_SUBMIT_RATE_LIMIT": "1000000 per minute",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "PYTHONUNBUFFERED": "1",
    }
