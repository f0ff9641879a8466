"""PostgreSQL restarted under load, behind a real gunicorn (two workers, no --preload).

The cluster is the test's own (initdb into a temporary folder, a free port), loaded with a copy
of the test database. While threads keep requests in flight, `pg_ctl stop -m fast`, three seconds,
then `pg_ctl start`, drop every connection. Requests made while the server is away wait at most the pool's timeout and
fail with a 500; the pool replaces its broken connections by itself, so pages answer again
within seconds without restarting gunicorn; and what was saved before the restart is still there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from delivery import services as delivery
from delivery.services import UpdateContent
from tests.delivery.factories import ObligationFactory, RoundFactory
from tests.faults.conftest import HANG, Browser, database_url, free_port, signed_in_session
from tests.reports.conftest import make_framework

pytestmark = pytest.mark.django_db(transaction=True)

# Debian's server binaries, of whichever version is installed (the newest if several are).
POSTGRES_BIN = max(
    (path for path in Path("/usr/lib/postgresql").glob("*/bin") if path.parent.name.isdigit()),
    key=lambda path: int(path.parent.name), default=None,
)
POOL_TIMEOUT = 2  # seconds: DATABASE_POOL_TIMEOUT for this gunicorn (5 by default)
OUTAGE = 3  # seconds between stopping the server and starting it again


class Cluster:
    """A private PostgreSQL cluster, owned by the postgres user as initdb requires."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="dq-faults-pg-"))
        shutil.chown(self.folder, "postgres")
        self.data = self.folder / "data"
        self.port = free_port()
        self._as_postgres(POSTGRES_BIN / "initdb", "-D", self.data, "--auth=trust", "--no-sync", "-U", "postgres")

    def _as_postgres(self, *command) -> str:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, command)], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def pg_ctl(self, action: str, *options) -> None:
        self._as_postgres(
            POSTGRES_BIN / "pg_ctl", "-D", self.data, "-l", self.folder / "server.log", "-w",
            "-o", f"-p {self.port} -k {self.folder} -c fsync=off", action, *options,
        )

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data),
                        "stop", "-m", "immediate"], capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    if POSTGRES_BIN is None or os.geteuid() != 0:
        pytest.skip("needs Debian's PostgreSQL server binaries and root (to run them as postgres)")
    cluster = Cluster()
    cluster.pg_ctl("start")
    yield cluster
    cluster.remove()


def copy_test_database(cluster: Cluster) -> str:
    """The test database as it is now (users, sessions, figures) into the private cluster."""
    with psycopg.connect(cluster.url(), autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS faults")
        admin.execute("CREATE DATABASE faults")
    dump = subprocess.run(["pg_dump", "--no-owner", database_url()], capture_output=True, check=True, timeout=60)
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", cluster.url("faults")], input=dump.stdout,
                   capture_output=True, check=True, timeout=60)
    return cluster.url("faults")


@dataclass
class Hit:
    started: float
    finished: float
    status: int  # 0: no answer at all (a timeout or a dropped connection)


def keep_requesting(browser: Browser, paths: list[str], hits: list[Hit], stop: threading.Event) -> None:
    while not stop.is_set():
        for path in paths:
            started = time.monotonic()
            try:
                status = browser.get(path).status
            except OSError:
                status = 0
            hits.append(Hit(started, time.monotonic(), status))


def test_requests_fail_fast_while_postgresql_restarts_and_recover_by_themselves_with_nothing_lost(
    cluster, start_web, partner_user, organisation
):
    framework = make_framework()
    round = RoundFactory()
    ObligationFactory(round=round, organisation=organisation, priority=framework["crime"])
    draft = delivery.update_create(
        organisation=organisation, period=round.period, priority=framework["crime"], author=partner_user,
        content=UpdateContent(title="Breaking the Cycle project", body="First words."),
    )
    session = signed_in_session(partner_user)  # made before the copy, so the copy has it
    web = start_web(
        DATABASE_URL=copy_test_database(cluster), DATABASE_POOL_TIMEOUT=POOL_TIMEOUT, DATABASE_POOL_MAX=4,
        workers=2, threads=4,
    )
    partner = Browser(web, session=session)

    # Written through the server just before the restart: it must survive it.
    saved = partner.post(f"/partners/updates/{draft.pk}/edit/", {
        "title": draft.title, "body": "Saved just before the restart.", "key_facts": "",
        "version": draft.version, "next": "draft",
        "kpis-TOTAL_FORMS": "0", "kpis-INITIAL_FORMS": "0",
        "quotations-TOTAL_FORMS": "0", "quotations-INITIAL_FORMS": "0",
    })
    assert saved.status == 200 and "Changes saved" in saved.body, saved.body[:2000]

    with psycopg.connect(cluster.url("faults")) as check:
        started_before = check.execute("SELECT pg_postmaster_start_time()").fetchone()[0]
    hits: list[Hit] = []
    stop = threading.Event()
    readers = [
        threading.Thread(target=keep_requesting, args=(Browser(web), ["/", "/measures/total-recorded-crime/"], hits, stop)),
        threading.Thread(target=keep_requesting, args=(Browser(web), ["/measures/", "/healthz"], hits, stop)),
        threading.Thread(target=keep_requesting, args=(partner, [f"/partners/updates/{draft.pk}/"], hits, stop)),
        threading.Thread(target=keep_requesting, args=(Browser(web), ["/reports/", "/"], hits, stop)),
    ]
    for reader in readers:
        reader.start()
    try:
        time.sleep(1)  # load before the restart
        # A restart with the server away for a few seconds (as a failover or an upgrade takes),
        # longer than the pool's timeout, so requests meet a server that is not there at all.
        restart_began = time.monotonic()
        cluster.pg_ctl("stop", "-m", "fast")
        time.sleep(OUTAGE)
        cluster.pg_ctl("start")
        restart_ended = time.monotonic()
        time.sleep(POOL_TIMEOUT + 2)  # and after it
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=HANG + 5)

    with psycopg.connect(cluster.url("faults")) as check:
        assert check.execute("SELECT pg_postmaster_start_time()").fetchone()[0] > started_before
        body = check.execute("SELECT body FROM delivery_deliveryupdate WHERE id = %s", [draft.pk]).fetchone()[0]
    assert body == "Saved just before the restart."

    before = [hit for hit in hits if hit.finished < restart_began]
    failed = [hit for hit in hits if hit.status != 200]
    assert before and all(hit.status == 200 for hit in before)
    # Every request was answered, and none waited much longer than the pool's timeout.
    assert {hit.status for hit in failed} <= {500, 503}, sorted({hit.status for hit in failed})
    assert max(hit.finished - hit.started for hit in hits) < POOL_TIMEOUT + 3
    # Recovered by itself, seconds after the restart: a request that began while the pool was still
    # reconnecting may wait out its timeout and fail, but none begun after that does.
    last_failure = max((hit.finished for hit in failed), default=restart_ended)
    recovered_after = last_failure - restart_ended
    settled = [hit for hit in hits if hit.started > restart_ended + POOL_TIMEOUT]
    assert len(settled) >= 20 and all(hit.status == 200 for hit in settled)
    assert recovered_after < POOL_TIMEOUT + 3
    page = partner.get(f"/partners/updates/{draft.pk}/")
    assert page.status == 200 and "Saved just before the restart." in page.body
    during = [hit for hit in failed if hit.started < restart_ended]
    print(
        f"\nPostgreSQL away {restart_ended - restart_began:.2f} s: {len(hits)} requests; failed while away "
        f"{len(during)} (statuses {sorted({hit.status for hit in during})}, slowest "
        f"{max((hit.finished - hit.started for hit in during), default=0):.2f} s), failed after it was back "
        f"{len(failed) - len(during)}; all 200 again {max(0.0, recovered_after):.2f} s after it was back"
    )
