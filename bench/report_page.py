"""Benchmark: the published report page under load, beside a static file of the same size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delivery_quarterly \
        .venv/bin/python bench/report_page.py [--keepdb] [--duration 10] [--connections 8]

Fills the database ``<name>_report`` (created if missing, never the named database itself;
``--keepdb`` reuses one that already holds the published demo report) with the demo: the seed
quarter's figures, surveys and delivery updates, and the report, published as version 1.

Then, with production settings (DEBUG off, a SECRET_KEY, SECURE off because the load is plain
HTTP on loopback, hashed static files collected into a temporary STATIC_ROOT), it serves the app
with gunicorn on 127.0.0.1 and measures with ``wrk`` (a small threaded Python load generator
where wrk is not installed):

- ``/reports/2020-21-q3/``: the published report, served from its frozen snapshot;
- a static file of exactly the same size, served by the same gunicorn (WhiteNoise).

It records requests per second and median latency of each, their ratio (target: the report page
at least half the static file's rate), and the time WeasyPrint takes to render the seed report's
PDF (median of three; target under 10 s), in bench/RESULTS.md under "## Report page", replacing
only that section.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
HEADING = "## Report page"
PAGE = "/reports/2020-21-q3/"
SAME_SIZE_NAME = "bench-same-size.html"
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/delivery_quarterly")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + parts.path.lstrip("/") + "_report"))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def write_settings(directory: Path, static_root: Path) -> None:
    """Production settings with their own STATIC_ROOT: the app's settings, one path changed."""
    (directory / "bench_report_settings.py").write_text(textwrap.dedent(f"""\
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


        STORAGES = {{**STORAGES, "staticfiles": {{"BACKEND": "bench_report_settings.BenchStorage"}}}}
    """))


def environment(url: str, settings_dir: Path, media_root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=SECRET_KEY,
        SECURE="0",
        STATIC_MANIFEST="1",
        MEDIA_ROOT=str(media_root),
        DJANGO_SETTINGS_MODULE="bench_report_settings",
        PYTHONPATH=os.pathsep.join([str(settings_dir), str(ROOT)]),
        LOG_LEVEL="WARNING",
    )
    env.pop("CELERY_BROKER_URL", None)  # publishing in-process
    return env


def run_python(code: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.exit(f"failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


SETUP = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from reports.models import Report
keep = {keep}
if not (keep and Report.objects.filter(slug="2020-21-q3", status="published").exists()):
    from demo import loading, report
    loading.load_demo()
    for name in ("surveys", "delivery"):
        try:
            module = __import__("demo." + name, fromlist=["load"])
        except ImportError:
            continue
        module.load()
    report.load()
print(Report.objects.get(slug="2020-21-q3").versions.count())
"""

PDF_TIMING = """
import django, statistics, time
django.setup()
from reports.models import Report
from reports.pdf import pdf_html, render_pdf
from reports.rendering import build_report, render_body
report = Report.objects.select_related("period").get(slug="2020-21-q3")
built = build_report(report, strict=True)
html = pdf_html(title=built.title, subtitle=built.subtitle, body_html=render_body(built), slug=report.slug, version=1)
render_pdf(html, slug=report.slug)  # warm: fonts and stylesheets
timings, cpu, size = [], [], 0
for _ in range(3):
    started, started_cpu = time.perf_counter(), time.process_time()
    data = render_pdf(html, slug=report.slug)
    timings.append(time.perf_counter() - started)
    cpu.append(time.process_time() - started_cpu)
    size = len(data)
started = time.perf_counter()
built = build_report(report, strict=True)
render_body(built)
build = time.perf_counter() - started
print(statistics.median(timings), statistics.median(cpu), size, build)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str], workers: int):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "pccsite.wsgi", "--workers", str(workers),
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url("/healthz"), timeout=2)  # noqa: S310 (loopback)
                return
            except Exception:
                time.sleep(0.3)
        self.stop()
        sys.exit("gunicorn did not start")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        assert response.status == 200, (url, response.status)
        return response.read()


def load_with_wrk(url: str, duration: int, connections: int, cookie: str = "") -> tuple[float, float]:
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", *headers, url],
        capture_output=True, text=True, check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    match = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", output, flags=re.M)
    median = float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]
    if re.search(r"Non-2xx or 3xx responses", output):
        sys.exit(f"errors under load:\n{output}")
    return rate, median


def load_with_threads(url: str, duration: int, connections: int, cookie: str = "") -> tuple[float, float]:
    """A small stand-in for wrk: keep-alive connections in threads, each timing its requests."""
    import http.client

    parts = urlsplit(url)
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def worker():
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            connection.request("GET", parts.path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: {response.status}")
            mine.append((time.perf_counter() - started) * 1000)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.monotonic() - started), statistics.median(latencies)


def record(section: str) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", flags=re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keepdb", action="store_true", help="reuse a database that holds the report")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load for each URL")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (README: 3)")
    parser.add_argument("--no-record", action="store_true", help="print, do not write RESULTS.md")
    options = parser.parse_args()

    url = bench_database_url()
    ensure_database(url)
    with tempfile.TemporaryDirectory(prefix="bench-report-") as temporary:
        temporary = Path(temporary)
        static_root = temporary / "static"
        write_settings(temporary, static_root)
        # The published PDF is kept beside the database it belongs to (media/ is not committed).
        env = environment(url, temporary, ROOT / "media" / "bench-report")
        print(f"database {urlsplit(url).path.lstrip('/')}: loading the demo and collecting static files")
        run_python(SETUP.format(keep=options.keepdb), env)

        print("rendering the PDF")
        pdf_seconds, pdf_cpu, pdf_bytes, build_seconds = map(float, run_python(PDF_TIMING, env).split())
        load_average = os.getloadavg()[0]

        # The static file must be in STATIC_ROOT when gunicorn starts (WhiteNoise indexes it
        # then), and the same size as the page: measure the page first.
        server = Server(env, options.workers)
        page_size = len(fetch(server.url(PAGE)))
        server.stop()
        (static_root / SAME_SIZE_NAME).write_bytes(b"x" * page_size)

        server = Server(env, options.workers)
        try:
            static_url = server.url(f"/static/{SAME_SIZE_NAME}")
            assert len(fetch(static_url)) == page_size == len(fetch(server.url(PAGE)))
            tool = "wrk" if shutil.which("wrk") else "threaded Python client"
            load = load_with_wrk if shutil.which("wrk") else load_with_threads
            print(f"loading with {tool}: {options.connections} connections, {options.duration} s each")
            load(server.url(PAGE), 2, options.connections)  # warm-up: pools, caches
            page_rate, page_median = load(server.url(PAGE), options.duration, options.connections)
            static_rate, static_median = load(static_url, options.duration, options.connections)
            # Any cookie makes the page the reader's own: read and rendered on every request.
            own_rate, own_median = load(
                server.url(PAGE), options.duration, options.connections, cookie="bench=1"
            )
        finally:
            server.stop()

    ratio = page_rate / static_rate
    cpu = platform.processor() or platform.machine()
    section = textwrap.dedent(f"""\
        {HEADING}

        `bench/report_page.py`, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs ({cpu}), gunicorn with
        {options.workers} workers and production settings (DEBUG off, hashed static files), PostgreSQL on
        loopback, {tool} with {options.connections} connections for {options.duration} s per URL.
        The machine's load average was {load_average:.1f} when the PDF was timed (CPU time is
        the part that does not depend on what else the machine was doing).

        | what | requests/s | median latency |
        | --- | --- | --- |
        | published report page `{PAGE}` ({page_size:,} bytes, from its snapshot) | {page_rate:,.0f} | {page_median:.2f} ms |
        | static file of the same size (WhiteNoise, same server) | {static_rate:,.0f} | {static_median:.2f} ms |
        | **ratio, report page ÷ static file** (target ≥ 0.5) | **{ratio:.2f}** | |
        | the same page never from memory (requests with a cookie: 2 queries and rendering each time) | {own_rate:,.0f} | {own_median:.2f} ms |

        | what | time |
        | --- | --- |
        | PDF of the seed report, WeasyPrint (median of 3; target < 10 s) | {pdf_seconds:.1f} s, of which {pdf_cpu:.1f} s CPU ({pdf_bytes / 1024:,.0f} KB) |
        | building the report from live data (the draft preview's work) | {build_seconds:.2f} s |

        A published page is its frozen HTML in the site's layout: two queries (the list of versions,
        and the version without its data), whatever the report's size. A version never changes, so
        each gunicorn worker keeps the page of a reader who is not signed in (and the list of
        versions for 5 seconds): such a request then costs no query. The PDF is rendered once, in
        Celery, when a version is published, so readers never wait for it.

    """)
    print(section)
    if not options.no_record:
        record(section)


if __name__ == "__main__":
    main()
