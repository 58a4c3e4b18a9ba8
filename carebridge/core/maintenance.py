"""Keeping the database's query planner informed."""

from django.db import connection


def database_analyze() -> None:
    """Refresh the planner's table statistics.

    PostgreSQL's autovacuum does this on its own; SQLite never does, and without statistics
    it picks the organization index for every patient search and scans the whole clinic.
    Run at start-up and after bulk loads; `analysis_limit` keeps it to a fraction of a second
    on large tables.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=0")
        cursor.execute("ANALYZE")
