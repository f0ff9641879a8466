"""Typed readers for settings that come from environment variables.

Each reader fails with a ConfigurationError that names the variable and says what is wrong, so a
bad deployment stops with one clear line (see manage.py, wsgi.py and celery.py) rather than a
traceback or, worse, a silently wrong default.
"""

import os
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


class ConfigurationError(ImproperlyConfigured):
    pass


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ConfigurationError(f"{name} must be set")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be true or false (1/0, yes/no, on/off), not {value!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass(frozen=True)
class DatabaseSettings:
    engine: str
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""
    options: tuple[tuple[str, str], ...] = ()


def parse_database_url(name: str, url: str) -> DatabaseSettings:
    """Read postgres://user:password@host:port/name or sqlite:///relative/or//absolute/path."""
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql", "pgsql"}:
        database = unquote(parts.path.lstrip("/"))
        if not database or not parts.hostname:
            raise ConfigurationError(
                f"{name} must name a host and a database, like postgres://user@127.0.0.1:5432/pcc"
            )
        try:
            port = parts.port
        except ValueError:
            raise ConfigurationError(f"{name} has a port that is not a number") from None
        return DatabaseSettings(
            engine="django.db.backends.postgresql",
            name=database,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            host=parts.hostname,
            port=str(port or ""),
            options=tuple(parse_qsl(parts.query)),
        )
    if parts.scheme == "sqlite":
        path = url[len("sqlite://") :]
        if path.startswith("/"):
            path = path[1:]
        if not path:
            raise ConfigurationError(f"{name} must name a file, like sqlite:///db.sqlite3")
        return DatabaseSettings(engine="django.db.backends.sqlite3", name=path)
    raise ConfigurationError(
        f"{name} must start with postgres:// or sqlite:///, not {url[:40]!r}"
    )


def check_broker_url(name: str, url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in {"redis", "rediss"}:
        raise ConfigurationError(f"{name} must be a redis:// URL, not {url[:40]!r}")
    return url
