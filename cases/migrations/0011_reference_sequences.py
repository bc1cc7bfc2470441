"""Case references from PostgreSQL sequences, one per year (issue #13).

The yearly counter row (`ReferenceSequence`) was incremented by every submit and stayed
locked until the submit committed: submits queued on it. `cases_reference_next(year)`
answers the next reference (UM-2026-000123) from the next value of the sequence `cases_reference_<year>`, creating it on the first
submit of a year and starting after whatever the counter row had handed out, so numbers
continue without a clash. The function runs as its owner (the role that migrates), so
the application's role, which may not create objects (`db_roles`), still starts a new
year's sequence. Sequences hold no lock, so a rolled-back submit leaves a gap in
the numbers (references are identifiers, not a count). SQLite (`make run`) keeps the row."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION cases_reference_next(y integer) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    seq text := 'cases_reference_' || y;
    n bigint;
BEGIN
    BEGIN
        n := nextval(seq);
    EXCEPTION WHEN undefined_table THEN
        BEGIN
            EXECUTE format('CREATE SEQUENCE %I', seq);
            PERFORM setval(
                seq,
                COALESCE((SELECT last_number FROM cases_referencesequence WHERE year = y), 0) + 1,
                false
            );
        EXCEPTION WHEN duplicate_table OR unique_violation THEN
            NULL;  -- another submit created it first
        END;
        n := nextval(seq);
    END;
    -- Six digits at least, as the counter row gave them (UM-2026-000123); more past 999999.
    RETURN 'UM-' || y || '-' || CASE WHEN n < 1000000 THEN lpad(n::text, 6, '0') ELSE n::text END;
END
$$;
"""

DROP = "DROP FUNCTION IF EXISTS cases_reference_next(integer);"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no parameters: its % signs are literal


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_append_only_truncate_guard")]

    operations = [migrations.RunPython(forwards, backwards)]
