"""Fresh, throw-away databases for one benchmark: never the user's CAREBRIDGE_HOME or data."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator

import psycopg

POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
ENGINES = ("SQLite", "PostgreSQL")


def postgres_version() -> str:
    try:
        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", connect_timeout=3) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error:
        return ""


def _admin(statement: str) -> None:
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


@contextlib.contextmanager
def fresh_database(engine: str, name: str) -> Iterator[dict[str, str]]:
    """The environment of a benchmark process: its own CAREBRIDGE_HOME (for SQLite, the
    database file too) and, for PostgreSQL, a database created now and dropped afterwards."""
    with tempfile.TemporaryDirectory(prefix=f"carebridge-bench-{name}-") as home:
        env = {**os.environ, "CAREBRIDGE_HOME": home, "DATABASE_URL": ""}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        if engine == "SQLite":
            yield env
            return
        database = f"carebridge_bench_{name}_{os.getpid()}"
        _admin(f'DROP DATABASE IF EXISTS "{database}"')
        _admin(f'CREATE DATABASE "{database}"')
        try:
            yield env | {"DATABASE_URL": f"{POSTGRES_SERVER}/{database}"}
        finally:
            _admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
