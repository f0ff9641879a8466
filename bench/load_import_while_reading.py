"""Benchmark: the report page's p99 while a 100,000-row figures file is imported beside it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/delivery_quarterly \
        .venv/bin/python -m bench.load_import_while_reading [--duration 20] [--connections 10]

Fills the database ``<name>_import_read`` with the demo (its report published) and the large
framework of bench/generate.py (200 measures, no figures yet), and writes the figures file:
100,000 rows, the latest 28 months of every measure, area and breakdown, as bench/import_values.py
imports them. Then it serves the app with gunicorn and production settings (bench/serving.py,
2 × CPUs + 1 workers) and reads ``/reports/2020-21-q3/`` with wrk, ``--connections`` connections:

- alone, for ``--duration`` seconds;
- during the import: the same wrk, started a second before a separate process runs the import
  service (measures.importing.import_values, what ``manage.py import_values``, the admin's
  confirm and its Celery task call) on the file, and stopped when that process ends. The file's
  figures are removed beforehand (not timed), so every row is a new figure written with its
  history. The recalculation the import queues goes nowhere (bench/recalculate.py measures it).

It does so for three kinds of reading: anonymous readers flat out (the page from the worker's
memory, no query; wrk alone then keeps the 2 CPUs busy), anonymous readers pausing ``--think`` ms
between requests (the server has spare capacity), and readers with a cookie (the page read from
PostgreSQL and rendered each time, where an import holding locks would show). Meanwhile it samples
what the database connections wait on and the CPU the import uses; a last, diagnostic run
(``--no-diagnose`` skips it) repeats the flat-out reading with the import and its PostgreSQL
backend at nice 19, to tell CPU contention from locking.

Records both p99s and their ratio (target: loaded p99 ≤ 2 × unloaded p99) in bench/RESULTS.md
under "## Report page during an import".
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench import common, generate, serving
from bench.import_values import file_rows

HEADING = "## Report page during an import"
PAGE = serving.REPORT_PAGE
TARGET = 2.0

FRAMEWORK = """
import django
django.setup()
from bench import generate
from measures import importing
from measures.models import Measure
if not Measure.objects.filter(code=generate.measure_code(0)).exists():
    importing.import_measures(
        source=generate.csv_bytes(generate.FRAMEWORK_HEADER, generate.framework_rows()),
        filename="framework.csv", username="bench",
    ).raise_for_errors()
"""

# Setup, not measured: the file's figures and their history go, so the import writes every row.
CLEAR = """
import django
django.setup()
from django.db import connection, transaction
with transaction.atomic(), connection.cursor() as cursor:
    cursor.execute("SET LOCAL session_replication_role = replica")  # no triggers: setup only
    cursor.execute(
        "SELECT id FROM measures_measure WHERE code LIKE 'bench-measure-%'"
    )
    ids = [row[0] for row in cursor.fetchall()]
    cursor.execute("DELETE FROM measures_valueevent WHERE measure_id = ANY(%s)", [ids])
    cursor.execute("DELETE FROM measures_value WHERE measure_id = ANY(%s)", [ids])
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE measures_value")
"""

# The import, in a process of its own. The recalculation it queues goes to an in-memory broker
# that nothing consumes, so the process ends when the import does.
IMPORT = """
import sys, time, django
django.setup()
from pccsite.celery import app
app.conf.task_always_eager = False
app.conf.broker_url = "memory://"
from measures.importing import import_values
started = time.perf_counter()
summary = import_values(source=open(sys.argv[1], "rb").read(), filename="figures.csv", username="bench")
summary.raise_for_errors()
assert summary.new == int(sys.argv[2]), summary.counts
print(time.perf_counter() - started, time.process_time())
"""


IMPORT_APPLICATION = "bench-import"  # the import's PostgreSQL connections carry this name


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def process_cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Watcher:
    """What the readers' database connections wait on, and the CPU the import's backend uses.

    Samples pg_stat_activity for the benchmark's database every 0.2 s: a reader whose connection
    waits on a lock is what an import holding locks the page needs would show. Also the whole
    machine's CPU use over the window, from /proc/stat.
    """

    def __init__(self, url: str, *, renice: bool = False):
        import psycopg

        self.renice = renice
        self.connection = psycopg.connect(url, autocommit=True)
        self.database = urlsplit(url).path.lstrip("/")
        self.waits: Counter[str] = Counter()
        self.import_waits: Counter[str] = Counter()
        self.samples = 0
        self.import_cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._ticks = machine_ticks()
        self._thread = threading.Thread(target=self._watch)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            found = self.connection.execute(
                "SELECT pid, application_name, state, wait_event_type, wait_event "
                "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            ).fetchall()
            self.samples += 1
            for pid, application, state, wait_type, wait in found:
                if state != "active":
                    waits = None
                elif application == IMPORT_APPLICATION:
                    waits = self.import_waits
                else:
                    waits = self.waits
                if waits is not None:
                    waits[f"{wait_type}:{wait}" if wait_type else "on CPU"] += 1
                if application == IMPORT_APPLICATION:
                    if self.renice and pid not in self.import_cpu:
                        os.setpriority(os.PRIO_PROCESS, pid, 19)  # the diagnostic run only
                    cpu = process_cpu_seconds(pid)  # PostgreSQL runs on this machine
                    if cpu is not None:
                        self.import_cpu[pid] = cpu

    def stop(self) -> float:
        """Stop watching; the machine's busy share of the window."""
        self._stop.set()
        self._thread.join()
        self.connection.close()
        busy, total = machine_ticks()
        return (busy - self._ticks[0]) / max(1, total - self._ticks[1])


def loaded(site: serving.Site, url: str, figures: Path, rows: int, connections: int,
           cookie: str, think_ms: int, nice: bool) -> tuple[serving.LoadResult, float, float, float, Watcher, float]:
    """The page's figures while the file is imported; the import's seconds, CPU and backend CPU,
    what the readers waited on, and the machine's busy share."""
    site.run(CLEAR)
    reading = serving.Load(url, connections=connections, duration=600, cookie=cookie, think_ms=think_ms)
    time.sleep(1)  # the readers first, so the whole import happens under their load
    watcher = Watcher(site.database_url, renice=nice)
    env = {**site.env, "PGAPPNAME": IMPORT_APPLICATION}
    importer = subprocess.run(
        [*(["nice", "-n", "19"] if nice else []), sys.executable, "-c", IMPORT, str(figures), str(rows)],
        cwd=common.ROOT, env=env, capture_output=True, text=True, check=False,
    )
    busy = watcher.stop()
    reading.stop()
    result = reading.result()
    if importer.returncode != 0:
        sys.exit(f"the import failed:\n{importer.stdout}\n{importer.stderr}")
    import_seconds, import_cpu = map(float, importer.stdout.split())
    return result, import_seconds, import_cpu, sum(watcher.import_cpu.values()), watcher, busy


@dataclass(frozen=True)
class Measured:
    reader: str
    alone: serving.LoadResult
    during: serving.LoadResult
    seconds: float
    cpu: float
    backend_cpu: float
    alone_watch: Watcher
    during_watch: Watcher
    alone_busy: float
    during_busy: float


def waits(found: Counter) -> str:
    if not found:
        return "none active"
    return ", ".join(f"{name} {count}" for name, count in found.most_common(4))


def conclude(measured: list[Measured], load_before: float) -> str:
    """What the figures say about why a ratio was missed: locks, or CPU."""
    ratios = {m.reader: m.during.p99_ms / m.alone.p99_ms for m in measured}
    targets = [m for m in measured if not m.reader.startswith("diagnostic")]
    missed = [m for m in targets if ratios[m.reader] > TARGET]
    locks = sum(count for m in measured for name, count in m.during_watch.waits.items()
                if name.startswith("Lock:"))
    sentences = []
    if not missed:
        sentences.append(f"Every reader's p99 stayed within {TARGET:g}× of its p99 alone.")
    else:
        sentences.append(f"Missed for {len(missed)} of {len(targets)} kinds of reader.")
    sentences.append(
        "No reader's connection ever waited on a lock during an import: the import holds nothing "
        "the page needs (the page reads report versions; the import writes figures, their "
        "history and the recalculation outbox)." if not locks else
        f"Readers' connections were seen waiting on locks {locks} times during the imports."
    )
    busy = min(m.alone_busy for m in measured)
    cpu = statistics.median(m.cpu + m.backend_cpu for m in measured)
    seconds = statistics.median(m.seconds for m in measured)
    if missed:
        sentences.append(
            f"The import needs about {cpu:.1f} CPU-seconds (its process and its PostgreSQL "
            f"backend) but took {seconds:.0f} s: it spent most of its time waiting for a CPU. "
            f"The 2 CPUs were at least {busy:.0%} busy before any import (load average "
            f"{load_before:.1f}), so whatever CPU the import "
            "got came out of the gunicorn workers' share, and a request that loses its CPU waits "
            "a whole scheduler slice: the tail (p99) grows first, the median hardly moves."
        )
    diagnostic = next((m for m in measured if m.reader.startswith("diagnostic")), None)
    flat_out = measured[0]
    if diagnostic is not None:
        lower = ratios[diagnostic.reader] < ratios[flat_out.reader]
        sentences.append(
            f"Diagnostic: with the import and its PostgreSQL backend at the lowest CPU priority "
            f"(nice 19), the flat-out anonymous reader's ratio was {ratios[diagnostic.reader]:.2f}× "
            f"against {ratios[flat_out.reader]:.2f}× at normal priority"
            + (", so what costs the readers is CPU taken by the import, not locking."
               if lower and flat_out in missed else
               ", and the readers wait on no lock either way." if lower else
               ": priority made no difference on this machine.")
        )
    spread = max(m.alone.p99_ms / m.alone.p50_ms for m in measured)
    sentences.append(
        f"Even alone, a reader's p99 was up to {spread:.0f}× its p50 on this shared machine: the "
        "tail is set as much by other processes' CPU use as by the import, so one run's ratio "
        "is noisy; run it on a quiet machine to judge the target."
    )
    return " ".join(sentences)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keepdb", action="store_true", help="reuse a database that holds the demo")
    parser.add_argument("--duration", type=int, default=20, help="seconds of the unloaded run")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--think", type=int, default=50,
                        help="ms each connection waits between requests in the paced run (default 50)")
    parser.add_argument("--no-diagnose", dest="diagnose", action="store_false",
                        help="skip the run with the import at the lowest CPU priority")
    parser.add_argument("--workers", type=int, default=serving.default_workers(),
                        help="gunicorn workers (default 2 × CPUs + 1)")
    parser.add_argument("--no-record", action="store_true", help="print, do not write RESULTS.md")
    options = parser.parse_args()

    url = common.database_url("_import_read")
    common.ensure_database(url)
    rows = file_rows(options.rows)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as directory, \
            serving.production_site(url, media="bench-import-read", broker=serving.broker_url()) as site:
        figures = Path(directory) / "figures.csv"
        figures.write_bytes(generate.csv_bytes(generate.VALUE_HEADER, rows))
        site.load_demo(keep=options.keepdb)
        site.run(FRAMEWORK, broker=False)
        server = site.serve(options.workers)
        try:
            page = server.url(PAGE)
            serving.fetch(page)
            load_before = os.getloadavg()[0]
            measured = []
            readers = [
                ("anonymous, flat out (page from memory)", "", 0, False),
                (f"anonymous, {options.think} ms between requests (page from memory)", "", options.think, False),
                ("with a cookie, flat out (page from PostgreSQL)", "bench=1", 0, False),
            ]
            if options.diagnose:
                readers.append(("diagnostic: anonymous, flat out, the import and its PostgreSQL "
                                "backend at nice 19", "", 0, True))
            for reader, cookie, think, nice in readers:
                serving.load(page, connections=options.connections, duration=3, cookie=cookie)  # warm-up
                print(f"{reader}: unloaded, {options.duration} s", flush=True)
                watcher = Watcher(site.database_url)
                alone = serving.load(page, connections=options.connections,
                                     duration=options.duration, cookie=cookie, think_ms=think)
                alone_busy = watcher.stop()
                print(f"{reader}: during the import of {len(rows):,} rows", flush=True)
                during, seconds, cpu, backend_cpu, during_watch, during_busy = loaded(
                    site, page, figures, len(rows), options.connections, cookie, think, nice
                )
                measured.append(Measured(reader, alone, during, seconds, cpu, backend_cpu,
                                         watcher, during_watch, alone_busy, during_busy))
                print(f"  p99 {alone.p99_ms:.1f} ms unloaded, {during.p99_ms:.1f} ms during "
                      f"the import ({seconds:.1f} s)", flush=True)
            serving.fetch(page)
        finally:
            server.stop()

    table, cpu_table = [], []
    for m in measured:
        ratio = m.during.p99_ms / m.alone.p99_ms
        verdict = "met" if ratio <= TARGET else "**missed**"
        table.append(
            f"| {m.reader} | {m.alone.rate:,.0f} | {m.alone.p50_ms:.1f} ms | {m.alone.p99_ms:.1f} ms "
            f"| {m.during.rate:,.0f} | {m.during.p50_ms:.1f} ms | {m.during.p99_ms:.1f} ms "
            f"| **{ratio:.2f}×** ({verdict}) | {m.alone.errors + m.during.errors} |"
        )
        cpu_table.append(
            f"| {m.reader} | {m.seconds:.1f} s | {m.cpu:.1f} s + {m.backend_cpu:.1f} s | "
            f"{m.alone_busy:.0%} → {m.during_busy:.0%} | {waits(m.alone_watch.waits)} | "
            f"{waits(m.during_watch.waits)} | {waits(m.during_watch.import_waits)} |"
        )
    rows_table, cpu_rows = "\n".join(table), "\n".join(cpu_table)
    conclusion = conclude(measured, load_before)
    tool = measured[0].alone.tool
    section = f"""{HEADING}

`python -m bench.load_import_while_reading`, {time.strftime('%Y-%m-%d')}: `{PAGE}` read by {tool}
with {options.connections} connections (flat out, or pausing {options.think} ms between requests), first
alone for {options.duration} s, then for as long as a separate process imports {len(rows):,} new figures
(the latest 28 months of the bench/generate.py framework) through `measures.importing.import_values`,
the service that `manage.py import_values`, the admin and the Celery task call: a second of
reading first, then the process from start to end. gunicorn with {options.workers} sync workers
(2 × CPUs + 1) and production settings, PostgreSQL on loopback.

| reader | alone: req/s | p50 | p99 | during the import: req/s | p50 | p99 | p99 ratio (target ≤ {TARGET:g}×) | errors |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
{rows_table}

Where the time went. The import's time is its service call; its CPU is the import process's own
plus its PostgreSQL backend's (read from /proc). The machine's CPU use is over each window, all
processes (other work on the machine included). The readers' waits are samples of pg_stat_activity every
0.2 s of the benchmark database's active connections, the readers' alone and during the import,
and the import's own (a `Lock` wait of a reader would be the import holding a lock the page
needs; "on CPU" means running or waiting for a CPU, with no wait event).

| reader | import | import CPU: process + PostgreSQL | machine CPU busy, alone → during | readers' active samples, alone | during the import | the import's samples |
| --- | ---: | ---: | ---: | --- | --- | --- |
{cpu_rows}

{conclusion}

{common.machine(load_before)}; wrk, gunicorn, the import and PostgreSQL share the
{os.cpu_count()} CPUs with whatever else runs there (the load average before says how much), so
one run's ratio is noisy: rerun to compare.
"""
    print(section)
    if not options.no_record:
        common.write_section(HEADING, section)


if __name__ == "__main__":
    main()
