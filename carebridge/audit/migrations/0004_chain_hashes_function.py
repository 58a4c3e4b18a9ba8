"""PostgreSQL: the function that chains a batch of audit entries onto the organization's
head inside the statement that writes them (see `audit.services`). SQLite chains them in
Python."""

from django.db import migrations

# Each hash covers, joined by the unit separator (chr 31): the previous entry's hash, the
# organization, the sequence number and `rests[i]` (the entry's other chained columns, as
# `compute_entry_hash` joins them). Assigning to the same array keeps the append in place.
CREATE = """CREATE FUNCTION audit_chain_hashes(
    previous text, organization bigint, last_sequence bigint, rests text[]
) RETURNS text[] AS $$
DECLARE
    hashes text[] := '{}';
BEGIN
    FOR position IN 1 .. coalesce(array_length(rests, 1), 0) LOOP
        previous := encode(sha256(convert_to(concat_ws(chr(31), previous,
            organization::text, (last_sequence + position)::text, rests[position]), 'UTF8')),
            'hex');
        hashes := hashes || previous;
    END LOOP;
    RETURN hashes;
END $$ LANGUAGE plpgsql IMMUTABLE STRICT"""
DROP = "DROP FUNCTION audit_chain_hashes(text, bigint, bigint, text[])"


def _run(statement: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_no_single_column_indexes")]
    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
