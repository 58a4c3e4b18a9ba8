"""Keeping the database's query planner informed."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Model


def database_analyze(models: Iterable[type[Model]] = ()) -> None:
    """Refresh the planner's table statistics: of the given models' tables, else of all.

    PostgreSQL's autovacuum does this on its own; SQLite never does, and without statistics
    it picks the organization index for every patient search and scans the whole clinic.
    Run at start-up and after bulk loads; `analysis_limit` keeps it to a fraction of a second
    on large tables. A bulk load names what it wrote: the rest (an audit log of millions of
    rows, say) has not changed.
    """
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=0")
        for statement in [f"ANALYZE {table}" for table in tables] or ["ANALYZE"]:
            cursor.execute(statement)
