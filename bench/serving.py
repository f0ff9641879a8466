"""The app as production runs it, for the benchmarks that load it over HTTP.

``production_site(url)`` gives a ``Site``: the app's settings with DEBUG off, a SECRET_KEY, SECURE
off (the load is plain HTTP on loopback; everything else is as in production), hashed static files
collected into a temporary STATIC_ROOT, PostgreSQL, and a Redis broker where one is given. A
``Site`` runs Python with those settings (``run``), loads the demo (``load_demo``) and serves the
app with gunicorn (``serve``). ``Load`` drives a URL with ``wrk`` (scripts/bench installs it), or a
small threaded Python client where wrk is missing, and reports requests/s, p50, p99 and errors.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import ROOT, SECRET_KEY

REPORT_PAGE = "/reports/2020-21-q3/"
SETTINGS_MODULE = "bench_production_settings"
# A response slower than this counts as an error (wrk's own default is 2 s).
TIMEOUT_SECONDS = 10

LOAD_DEMO = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from reports.models import Report
if not ({keep} and Report.objects.filter(slug="2020-21-q3", status="published").exists()):
    # The load_demo command refuses to run with DEBUG off; its function is what it calls.
    from demo import loading
    loading.load_demo()
print(Report.objects.get(slug="2020-21-q3").versions.count())
"""

# wrk prints its own summary; this adds exact figures in one line that is easy to read back.
# ``delay`` is each connection's pause between an answer and its next request (a reader's
# "think time"); wrk's latencies leave it out.
WRK_SCRIPT = """
function delay()
  return {think_ms}
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "bench: requests=%d bytes=%d duration_us=%d p50_us=%d p99_us=%d socket_errors=%d status_errors=%d\\n",
    summary.requests, summary.bytes, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def broker_url() -> str:
    """The Redis the load benchmarks queue tasks on, as production does (scripts/bench sets it)."""
    return os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/5")


def default_workers() -> int:
    """gunicorn's own advice, 2 × CPUs + 1 (5 on this 2-CPU machine; the README's example is 3)."""
    return 2 * (os.cpu_count() or 1) + 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the app, started and stopped by the benchmark."""

    def __init__(self, env: dict[str, str], workers: int):
        self.workers = workers
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "pccsite.wsgi", "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url("/healthz"), timeout=2)  # noqa: S310 (loopback)
                return
            except (OSError, urllib.error.URLError):
                if self.process.poll() is not None:
                    break
                time.sleep(0.3)
        self.stop()
        sys.exit("gunicorn did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class Site:
    def __init__(self, url: str, directory: Path, media_root: Path, broker: str):
        self.database_url = url
        self.static_root = directory / "static"
        _write_settings(directory, self.static_root)
        self.env = dict(os.environ)
        self.env.update(
            DATABASE_URL=url,
            DEBUG="0",
            SECRET_KEY=SECRET_KEY,
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE="0",
            STATIC_MANIFEST="1",
            MEDIA_ROOT=str(media_root),
            DJANGO_SETTINGS_MODULE=SETTINGS_MODULE,
            PYTHONPATH=os.pathsep.join([str(directory), str(ROOT)]),
            LOG_LEVEL="WARNING",
        )
        if broker:
            self.env["CELERY_BROKER_URL"] = broker
        else:
            self.env.pop("CELERY_BROKER_URL", None)  # tasks in-process

    def run(self, code: str, *, broker: bool = True) -> str:
        """Run Python with the site's settings; its output, or stop the benchmark with its error.

        ``broker=False`` runs the tasks it queues in-process, as a newcomer's setup does.
        """
        env = dict(self.env)
        if not broker:
            env.pop("CELERY_BROKER_URL", None)
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
            check=False,
        )
        if result.returncode != 0:
            sys.exit(f"failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def load_demo(self, *, keep: bool) -> None:
        """Migrate, collect static files and load the demo (its report published as version 1).

        Without the broker: publishing renders the report's PDF in this process, so the demo is
        complete without a worker.
        """
        print(f"database {urlsplit(self.database_url).path.lstrip('/')}: loading the demo and "
              "collecting static files", flush=True)
        self.run(LOAD_DEMO.format(keep=keep), broker=False)

    def serve(self, workers: int) -> Server:
        return Server(self.env, workers)

    @contextmanager
    def worker(self) -> Iterator[subprocess.Popen]:
        """One Celery worker (one process) on the site's broker, as production runs beside gunicorn."""
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "pccsite", "worker", "--concurrency", "1",
             "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            yield process
        finally:
            process.terminate()  # a warm shutdown: the task in hand finishes first
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def production_site(url: str, *, media: str, broker: str = "") -> Iterator[Site]:
    """A Site on ``url``; its published PDFs are kept in media/<media> beside that database."""
    with tempfile.TemporaryDirectory(prefix="bench-site-") as directory:
        yield Site(url, Path(directory), ROOT / "media" / media, broker)


def _write_settings(directory: Path, static_root: Path) -> None:
    """Production settings with their own STATIC_ROOT: the app's settings, one path changed."""
    (directory / f"{SETTINGS_MODULE}.py").write_text(textwrap.dedent(f"""\
        from pccsite.settings import *  # noqa: F401,F403
        from whitenoise.storage import CompressedManifestStaticFilesStorage

        STATIC_ROOT = {str(static_root)!r}


        class BenchStorage(CompressedManifestStaticFilesStorage):
            # The vendored GOV.UK stylesheet names a source map that is not vendored, which
            # stops collectstatic; source maps play no part in serving a page.
            patterns = tuple(
                (extension, tuple(p for p in found if "sourceMappingURL" not in str(p)))
                for extension, found in CompressedManifestStaticFilesStorage.patterns
            )


        STORAGES = {{**STORAGES, "staticfiles": {{"BACKEND": "{SETTINGS_MODULE}.BenchStorage"}}}}
    """))


def fetch(url: str) -> bytes:
    """The body of a 200 answer (a redirect or an error stops the benchmark)."""
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(url, timeout=TIMEOUT_SECONDS) as response:
        if response.status != 200:
            sys.exit(f"GET {url} answered {response.status}, not 200")
        return response.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass(frozen=True)
class LoadResult:
    tool: str
    connections: int
    seconds: float
    requests: int
    bytes: int  # received, headers included
    p50_ms: float
    p99_ms: float
    socket_errors: int  # connections refused or reset, reads or writes failed, timeouts
    status_errors: int  # answers with a status of 400 or more

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def errors(self) -> int:
        return self.socket_errors + self.status_errors


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


class Load:
    """``connections`` clients GETting ``url``, until ``duration`` or ``stop()``.

    Back to back by default: the server runs flat out. ``think_ms`` makes each client pause that
    long between an answer and its next request, like readers, leaving the server spare capacity.
    """

    def __init__(self, url: str, *, connections: int, duration: float, cookie: str = "",
                 think_ms: int = 0):
        self.url, self.connections, self.cookie, self.think_ms = url, connections, cookie, think_ms
        self.started = time.monotonic()
        if wrk_available():
            self.tool = "wrk"
            script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
            script.write(WRK_SCRIPT.format(think_ms=think_ms))
            script.close()
            self._script = script.name
            headers = ["-H", f"Cookie: {cookie}"] if cookie else []
            self._process = subprocess.Popen(
                ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{max(1, round(duration))}s",
                 f"--timeout={TIMEOUT_SECONDS}s", "-s", self._script, *headers, url],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            )
        else:
            self.tool = "threaded Python client"
            self._stop = threading.Event()
            self._latencies: list[float] = []
            self._errors = [0, 0]
            self._bytes = 0
            self._lock = threading.Lock()
            self._deadline = self.started + duration
            self._threads = [threading.Thread(target=self._client) for _ in range(connections)]
            for thread in self._threads:
                thread.start()

    def stop(self) -> None:
        """End the load now (wrk prints its figures on SIGINT)."""
        if self.tool == "wrk":
            if self._process.poll() is None:
                self._process.send_signal(signal.SIGINT)
        else:
            self._stop.set()

    def result(self) -> LoadResult:
        if self.tool == "wrk":
            output, _ = self._process.communicate()
            os.unlink(self._script)
            found = re.search(
                r"bench: requests=(\d+) bytes=(\d+) duration_us=(\d+) p50_us=(\d+) p99_us=(\d+) "
                r"socket_errors=(\d+) status_errors=(\d+)", output,
            )
            if found is None:
                sys.exit(f"wrk failed:\n{output}")
            requests, size, duration, p50, p99, socket_errors, status_errors = map(int, found.groups())
            return LoadResult("wrk", self.connections, duration / 1e6, requests, size, p50 / 1000,
                              p99 / 1000, socket_errors, status_errors)
        for thread in self._threads:
            thread.join()
        latencies = sorted(self._latencies)
        return LoadResult(
            self.tool, self.connections, time.monotonic() - self.started, len(latencies), self._bytes,
            statistics.median(latencies) if latencies else 0.0,
            latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0,
            *self._errors,
        )

    def _client(self) -> None:
        import http.client

        parts = urlsplit(self.url)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        mine: list[float] = []
        received = 0
        errors = [0, 0]
        while not self._stop.wait(self.think_ms / 1000) and time.monotonic() < self._deadline:
            started = time.perf_counter()
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
            try:
                connection.request("GET", parts.path, headers=headers)
                response = connection.getresponse()
                received += len(response.read())
            except OSError:
                errors[0] += 1
                continue
            finally:
                connection.close()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status >= 400:
                errors[1] += 1
        with self._lock:
            self._latencies.extend(mine)
            self._bytes += received
            self._errors = [a + b for a, b in zip(self._errors, errors)]


def load(url: str, *, connections: int, duration: float, cookie: str = "", think_ms: int = 0) -> LoadResult:
    return Load(url, connections=connections, duration=duration, cookie=cookie, think_ms=think_ms).result()
