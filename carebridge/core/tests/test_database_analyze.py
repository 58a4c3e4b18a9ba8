import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.core.maintenance import database_analyze
from carebridge.patients.models import Patient, PatientIdentifier

pytestmark = pytest.mark.django_db


def _analyzed(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("ANALYZE")]


def test_a_bulk_load_refreshes_only_the_tables_it_names():
    with CaptureQueriesContext(connection) as queries:
        database_analyze([Patient, PatientIdentifier])

    quote = connection.ops.quote_name
    assert _analyzed(queries) == [
        f"ANALYZE {quote(Patient._meta.db_table)}",
        f"ANALYZE {quote(PatientIdentifier._meta.db_table)}",
    ]


def test_without_models_every_table_is_refreshed():
    with CaptureQueriesContext(connection) as queries:
        database_analyze()

    assert _analyzed(queries) == ["ANALYZE"]
