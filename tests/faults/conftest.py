"""Real servers in subprocesses for the fault tests: the tests stop, hang and kill them.

Every server here is the test's own: a gunicorn, a Celery worker, a Redis or a PostgreSQL
cluster started on a free port, never the shared ones. Subprocesses reach the test database
through DATABASE_URL, so the tests that use them are `transaction=True` (their data is committed).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# Generous: a page that takes longer than this is hanging, not slow.
HANG = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 20.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{process.args[0]} exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout:.0f} s")


def database_url(name: str | None = None, *, host: str | None = None, port: int | None = None) -> str:
    """The test database (or another on its server) as the DATABASE_URL a subprocess reads."""
    params = connection.settings_dict
    user = params["USER"] or "postgres"
    return f"postgres://{user}@{host or params['HOST'] or '127.0.0.1'}:{port or params['PORT'] or 5432}/{name or params['NAME']}"


class Process:
    """A subprocess whose output goes to a log file, shown when a test fails."""

    def __init__(self, name: str, command: list[str], *, env: dict, log: Path, user: str | None = None,
                 stop_signal: int = signal.SIGTERM):
        self.name = name
        self.stop_signal = stop_signal
        self.log = log
        handle = open(log, "ab")
        self.popen = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, user=user,
            start_new_session=True,
        )
        handle.close()

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for_output(self, pattern: str, *, timeout: float = 30.0, after: int = 0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.output()[after:]):
                return
            if self.popen.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{self.name} never printed {pattern!r}:\n{self.output()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, as when the kernel's OOM killer strikes."""
        if self.popen.poll() is None:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(self.stop_signal)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def processes(request, tmp_path):
    """Start subprocesses that are stopped at the end of the test; their logs on failure."""
    started: list[Process] = []

    def start(name: str, command: list[str], *, env: dict | None = None, **options) -> Process:
        log = tmp_path / f"{name}-{len(started)}.log"
        process = Process(name, command, env=env or os.environ.copy(), log=log, **options)
        started.append(process)
        return process

    yield start
    for process in reversed(started):
        process.stop()
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for process in started:
            sys.stderr.write(f"\n----- {process.name} ({process.log}) -----\n{process.output()[-4000:]}\n")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def subprocess_environment(**overrides) -> dict:
    """The test's environment for a server: its database, its stored files, its broker."""
    env = os.environ.copy()
    env.update({
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
    })
    env.update({name: str(value) for name, value in overrides.items()})
    return env


@pytest.fixture
def start_web(processes):
    """gunicorn serving the app (never --preload, as in production), answering before it returns."""

    def start(*, workers: int = 1, threads: int = 4, **env) -> str:
        port = free_port()
        process = processes("gunicorn", [
            str(BIN / "gunicorn"), "pccsite.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads), "--timeout", "60",
        ], env=subprocess_environment(**env), stop_signal=signal.SIGINT)  # SIGINT: quick shutdown
        wait_for_port(port, process=process.popen)
        base = f"http://127.0.0.1:{port}"
        # The port opens before the workers have loaded the app: wait for a page that needs none
        # of the servers, so that timings measured afterwards are the app's, not its start-up.
        for _ in range(workers * threads):
            assert Browser(base).get("/accessibility/", timeout=60).status == 200
        return base

    return start


@pytest.fixture
def start_celery_worker(processes):
    """A real `celery worker` process (solo pool) on the given broker, ready before it returns."""

    def start(**env) -> Process:
        env.setdefault("CELERY_BROKER_URL", settings.CELERY_BROKER_URL)
        process = processes("celery-worker", [
            str(BIN / "celery"), "-A", "pccsite", "worker", "--pool", "solo", "--loglevel", "INFO",
            "--without-mingle", "--without-gossip", "--without-heartbeat",
            "--hostname", f"faults-{time.monotonic_ns()}@%h",
        ], env=subprocess_environment(**{"LOG_LEVEL": "INFO", **env}))
        process.wait_for_output(r"ready\.")
        return process

    return start


@pytest.fixture
def start_redis(processes, tmp_path):
    """A private redis-server on `port`: no persistence, so stopping it loses its queue."""

    def start(port: int) -> Process:
        process = processes("redis", [
            "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--dir", str(tmp_path),
        ])
        wait_for_port(port, process=process.popen)
        return process

    return start


class HungBroker:
    """A TCP server that accepts connections and never answers: a Redis that has hung."""

    def __init__(self, port: int = 0):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", port))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                peer, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(peer)  # read nothing, write nothing, close nothing

    def close(self) -> None:
        self.listener.close()
        for peer in self.held:
            peer.close()


@pytest.fixture
def hung_broker():
    broker = HungBroker()
    yield broker
    broker.close()


@dataclass
class Response:
    status: int
    body: str
    seconds: float
    url: str


def signed_in_session(user) -> str:
    """A session key for `user`, made as the test client makes one, stored in the test database."""
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Browser:
    """A person's browser against a real server: cookies, CSRF tokens, redirects followed."""

    def __init__(self, base: str, user=None, *, session: str | None = None):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        if user is not None:
            session = signed_in_session(user)
        if session is not None:
            self._set_cookie("sessionid", session)

    def _set_cookie(self, name: str, value: str) -> None:
        host = urllib.parse.urlsplit(self.base).hostname
        self.cookies.set_cookie(http.cookiejar.Cookie(
            0, name, value, None, False, host, False, False, "/", True, False, None, False, None, None, {},
        ))

    def _csrf(self) -> str:
        for cookie in self.cookies:
            if cookie.name == "csrftoken":
                return cookie.value
        # Any page with a form sets it; the home page's sign-in link leads to one.
        self.get("/sign-in/")
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")

    def request(self, path: str, data: dict | None = None, *, timeout: float = HANG) -> Response:
        body = None
        if data is not None:
            body = urllib.parse.urlencode({"csrfmiddlewaretoken": self._csrf(), **data}, doseq=True).encode()
        started = time.monotonic()
        try:
            with self.opener.open(self.base + path, data=body, timeout=timeout) as answer:
                return Response(answer.status, answer.read().decode(errors="replace"), time.monotonic() - started, answer.url)
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode(errors="replace"), time.monotonic() - started, error.url)

    def get(self, path: str, **kwargs) -> Response:
        return self.request(path, **kwargs)

    def post(self, path: str, data: dict, **kwargs) -> Response:
        return self.request(path, data, **kwargs)


@pytest.fixture
def celery_to_redis():
    """Jobs queued in this process go to the test broker instead of running in-process."""
    from pccsite.celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        pytest.skip("CELERY_BROKER_URL is not set: `make test` sets it to the local Redis")
    import redis

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery", "unacked", "unacked_index")  # nothing left from an earlier run
    client.close()
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True


def wait_until(condition, *, timeout: float = 30.0, interval: float = 0.02, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
