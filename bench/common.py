"""What every benchmark shares: its own database, Django set up in-process, the large framework,
and its section of bench/RESULTS.md.

Each benchmark fills a database of its own, named after the one ``DATABASE_URL`` names plus a
suffix (``delivery_quarterly_recalc``, ...), so it never touches the database it was pointed at.
Run them as modules from the project's folder (``python -m bench.recalculate``), as scripts/bench
does.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/delivery_quarterly"
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"


def database_url(suffix: str) -> str:
    """The benchmark's own database: the one DATABASE_URL names, with ``suffix`` appended."""
    parts = urlsplit(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    return urlunsplit(parts._replace(path="/" + parts.path.lstrip("/") + suffix))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    """Django in this process on ``url``, production behaviour, migrated.

    DEBUG off: cached templates and no query log kept in memory. The tasks that imports queue
    (recalculations) go to an in-memory broker that nobody consumes, so each timing measures
    one piece of work, not the recalculation it would start.
    """
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"
    os.environ["SECURE"] = "0"  # the test client speaks plain HTTP
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pccsite.settings")
    os.environ.setdefault("SECRET_KEY", SECRET_KEY)
    os.environ.setdefault("STATIC_MANIFEST", "0")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from pccsite.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    call_command("migrate", verbosity=0)


def load_framework() -> None:
    """The areas and the large framework of bench/generate.py, through the admin's import."""
    from bench import generate
    from measures import importing
    from measures.models import Area

    for order, code in enumerate(generate.AREAS):
        Area.objects.update_or_create(
            code=code,
            defaults={"name": generate.AREA_NAMES[code], "order": order,
                      "parent": Area.objects.get(code=generate.AREAS[0]) if order else None},
        )
    importing.import_measures(
        source=generate.csv_bytes(generate.FRAMEWORK_HEADER, generate.framework_rows()),
        filename="framework.csv", username="bench",
    ).raise_for_errors()


def import_all_values(chunk: int = 100_000) -> None:
    """Every figure of the large framework (432,000), through the admin's import service."""
    from bench import generate
    from measures import importing

    started = time.perf_counter()
    rows = list(generate.value_rows())
    for first in range(0, len(rows), chunk):
        importing.import_values(
            source=generate.csv_bytes(generate.VALUE_HEADER, rows[first:first + chunk]),
            filename="values.csv", username="bench",
        ).raise_for_errors()
    print(f"Imported {len(rows):,} figures in {time.perf_counter() - started:.0f} s", flush=True)


def machine(load_before: float) -> str:
    """One sentence on the machine, for every section: figures vary with what else runs on it."""
    return (
        f"Machine: {os.cpu_count()} CPUs, load average {load_before:.1f} before and "
        f"{os.getloadavg()[0]:.1f} after"
    )


def write_section(heading: str, text: str) -> None:
    """Replace the section under ``heading`` in RESULTS.md (or append it), leaving the others."""
    existing = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    section = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    text = text.rstrip("\n") + "\n\n"
    if section.search(existing):
        updated = section.sub(lambda _: text, existing, count=1)
    else:
        updated = existing.rstrip("\n") + "\n\n" + text
    RESULTS.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")
