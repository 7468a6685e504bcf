"""What the multi-process tests run, as docs/deploy.md runs it: gunicorn servers of the app
(``crm.core.serving``), ``flask worker`` processes, a Redis server from Debian's packages, a
real SMTP server, and a bounded load of survey submits from 127.0.0.1. Every process is started
in its own session, so a SIGKILL takes a whole server (master and workers) at once."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from aiosmtpd.controller import Controller

from tests.surveys.support import valid_form

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
METRICS_TOKEN = "operations-test-metrics-token"  # noqa: S105  (a throwaway test setting)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url: str, **settings: str) -> dict[str, str]:
    """The app's environment for these tests: a configured database (not the embedded default),
    worker filing, and ``settings``."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "operations-test-secret-key",
        "SECURITY_PASSWORD_SALT": "operations-test-salt",
        "TOTP_SECRET": "operations-test-totp",
        "SURVEY_FILING": "worker",
        "METRICS_TOKEN": METRICS_TOKEN,
        "PYTHONUNBUFFERED": "1",
        **settings,
    }


def flask(env: dict[str, str], *args: str) -> str:
    """Run ``flask --app app <args>``; its output (raises when it fails)."""
    completed = subprocess.run(  # noqa: S603  (our own fixed command)
        [str(BIN / "flask"), "--app", "app", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


class Process:
    """A child process in its own session, its output in ``log``; ``lines`` collects it when
    ``watch`` is given (called with each line as it comes)."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path,
                 watch: Callable[[str], None] | None = None) -> None:  # fmt: skip
        self.command, self.env, self.log, self.watch = command, env, log, watch
        self.process: subprocess.Popen | None = None
        self.reader: threading.Thread | None = None

    def start(self) -> Process:
        if self.watch is None:
            with self.log.open("ab") as out:
                self.process = subprocess.Popen(  # noqa: S603  (our own fixed command)
                    self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True,
                )  # fmt: skip
            return self
        self.process = subprocess.Popen(  # noqa: S603  (our own fixed command)
            self.command, cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        return self

    def _read(self) -> None:
        with self.log.open("a") as out, self.process.stdout as lines:
            for line in lines:
                out.write(line)
                out.flush()
                self.watch(line)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the whole process group (a gunicorn master and its workers)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(30)
        if getattr(self, "reader", None) is not None:
            self.reader.join(10)

    def stop(self) -> None:
        if self.process is not None:
            self.kill(signal.SIGTERM)


def gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> Process:
    """An app server as docs/deploy.md runs it, on 127.0.0.1:port."""
    return Process(
        [str(BIN / "gunicorn"), "--config", "python:crm.core.serving", "app:create_app()"],
        {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
        log,
    )


def worker(env: dict[str, str], log: Path, *options: str,
           watch: Callable[[str], None] | None = None) -> Process:  # fmt: skip
    """A ``flask worker`` process, filing rounds every 0.2 s and the outbox every 0.5 s."""
    command = [str(BIN / "flask"), "--app", "app", "worker", "--filing-interval", "0.2",
               "--interval", "0.5", *options]  # fmt: skip
    return Process(command, env, log, watch)


def request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request to 127.0.0.1:port (redirects not followed); status 0 when no answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    except OSError:
        return 0, {}, b""
    finally:
        conn.close()


def wait_ready(port: int, seconds: float = 90) -> None:
    """Wait until the server on ``port`` answers ``/healthz``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if request(port, "GET", "/healthz")[0] == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"nothing answered /healthz on port {port}")


def wait_until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for: {what}")


class Redis:
    """A throwaway ``redis-server`` (Debian's package) on 127.0.0.1, no persistence."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.process = Process(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder)],
            dict(os.environ), folder / "redis.log",
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> Redis:
        self.process.start()
        wait_until(self._answers, 20, "redis-server")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def __exit__(self, *exc) -> None:
        self.process.stop()


@dataclass
class MailSink:
    """Handler of a real SMTP server: every message's recipients, in order. While ``gate`` is
    clear, a connection waits before its sender is accepted (a slow mail server)."""

    received: list[str] = field(default_factory=list)
    gate: threading.Event = field(default_factory=threading.Event)
    waiting: threading.Event = field(default_factory=threading.Event)

    async def handle_MAIL(self, server, session, envelope, address, options):  # noqa: N802
        import asyncio

        while not self.gate.is_set():
            self.waiting.set()
            await asyncio.sleep(0.05)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.received.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


class Smtp:
    """An aiosmtpd server on a free port of 127.0.0.1 with a :class:`MailSink`."""

    def __init__(self) -> None:
        self.port = free_port()
        self.sink = MailSink()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    def settings(self) -> dict[str, str]:
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(self.port), "MAIL_USE_TLS": "false"}

    def __enter__(self) -> Smtp:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sink.gate.set()
        self.controller.stop()


CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def survey_stamp(port: int) -> str:
    """The survey form's CSRF stamp (signed, tied to no cookie) from GET /en/survey."""
    status, _headers, body = request(port, "GET", "/en/survey")
    assert status == 200, status
    match = CSRF.search(body)
    assert match, "no csrf_token on the survey page"
    return (match.group(1) or match.group(2)).decode()


@dataclass
class Submit:
    """One submission: its token and email, the server that answered, the status (0: no
    answer), and when it was sent and answered (``time.monotonic()``)."""

    token: str
    email: str
    port: int = 0
    status: int = 0
    sent: float = 0.0
    answered: float = 0.0
    tries: int = 0


def survey_body(submit: Submit, stamp: str, number: int) -> bytes:
    """A valid survey form with a practice and an email of this submission's own."""
    form = valid_form(
        submission_token=submit.token,
        email=submit.email,
        practice_name=f"Clínica Carga {submit.token}",
        name=f"Pessoa {number}",
        csrf_token=stamp,
    )
    return urlencode(form, doseq=True).encode()


class SubmitLoad:
    """A bounded, concurrent load of survey submits from 127.0.0.1: ``count`` submissions over
    ``threads`` connections, spread over ``ports``, ``pause`` seconds between a thread's
    submits. A submission that gets no answer (its server died) is sent again, the same one,
    to the next server, up to 4 times, as a browser's retry would."""

    def __init__(self, ports: list[int], count: int, threads: int, prefix: str,
                 pause: float = 0.0) -> None:  # fmt: skip
        self.ports, self.threads, self.pause = ports, threads, pause
        self.submits = [
            Submit(f"{prefix}{n:06d}", f"{prefix}{n:06d}@clinic.example".lower())
            for n in range(count)
        ]
        self.stamp = survey_stamp(ports[0])
        self.done = 0
        self._lock = threading.Lock()

    def _send(self, number: int) -> None:
        submit = self.submits[number]
        body = survey_body(submit, self.stamp, number)
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        for attempt in range(4):
            port = self.ports[(number + attempt) % len(self.ports)]
            submit.tries, submit.port, submit.sent = attempt + 1, port, time.monotonic()
            submit.status = request(port, "POST", "/en/survey", body, headers)[0]
            submit.answered = time.monotonic()
            if submit.status:
                break
            time.sleep(0.3)
        with self._lock:
            self.done += 1
        time.sleep(self.pause)

    def run(self) -> None:
        with ThreadPoolExecutor(self.threads) as pool:
            list(pool.map(self._send, range(len(self.submits))))

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, daemon=True)
        thread.start()
        return thread

    def with_status(self, status: int) -> list[Submit]:
        return [s for s in self.submits if s.status == status]
