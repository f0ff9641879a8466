import os
import subprocess
import sys
from pathlib import Path

import pytest

from pccsite.environment import ConfigurationError, env_bool, env_int, parse_database_url

ROOT = Path(__file__).resolve().parent.parent


def test_a_postgres_url_becomes_django_database_settings():
    database = parse_database_url("DATABASE_URL", "postgres://pcc:s%40cret@db.internal:6543/quarterly")
    assert database.engine == "django.db.backends.postgresql"
    assert (database.user, database.password, database.host, database.port, database.name) == (
        "pcc", "s@cret", "db.internal", "6543", "quarterly",
    )


def test_a_sqlite_url_names_a_file():
    assert parse_database_url("DATABASE_URL", "sqlite:///db.sqlite3").name == "db.sqlite3"
    assert parse_database_url("DATABASE_URL", "sqlite:////tmp/x.db").name == "/tmp/x.db"


@pytest.mark.parametrize("url", ["nonsense", "mysql://x/y", "postgres://host-only", "sqlite://"])
def test_a_bad_database_url_names_the_variable(url):
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        parse_database_url("DATABASE_URL", url)


def test_booleans_and_integers_refuse_nonsense(monkeypatch):
    monkeypatch.setenv("DEBUG", "perhaps")
    with pytest.raises(ConfigurationError, match="DEBUG must be true or false"):
        env_bool("DEBUG")
    monkeypatch.setenv("EMAIL_PORT", "lots")
    with pytest.raises(ConfigurationError, match="EMAIL_PORT must be a whole number"):
        env_int("EMAIL_PORT", 25)


def _manage(*args, **env):
    clean = {key: value for key, value in os.environ.items() if key not in {
        "DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "SECRET_KEY", "SECURE", "ALLOWED_HOSTS",
        "STATIC_MANIFEST", "DJANGO_ALLOW_ASYNC_UNSAFE",
    }}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )


def test_bad_configuration_stops_start_up_with_one_clear_line():
    result = _manage("check", DATABASE_URL="nonsense", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DATABASE_URL must start with postgres:// or sqlite:///, not 'nonsense'"
    ]


def test_production_settings_pass_the_deployment_checklist():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0",
        SECRET_KEY="a-long-and-random-production-secret-3f9a8c7e6d5b4a3928171615",
        ALLOWED_HOSTS="delivery-quarterly.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_load_demo_refuses_to_run_with_debug_off():
    result = _manage("load_demo", SECRET_KEY="x" * 50, DATABASE_URL="sqlite:////tmp/unused.sqlite3")
    assert result.returncode != 0
    assert "only runs with DEBUG=1" in result.stderr
