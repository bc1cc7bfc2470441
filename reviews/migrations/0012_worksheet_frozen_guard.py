"""A worksheet frozen with its decision never changes (issue 16, item 1): PostgreSQL refuses
an UPDATE or DELETE of a frozen worksheet and any INSERT, UPDATE or DELETE of its answers,
whoever asks (service, admin, shell), as it does for criteria versions used in a decision."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION reviews_worksheet_frozen_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.frozen_at IS NOT NULL THEN
        RAISE EXCEPTION 'Worksheet % is frozen with decision %: % refused', OLD.id, OLD.decision_id, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION reviews_worksheet_answer_frozen_guard() RETURNS trigger AS $$
BEGIN
    IF (TG_OP <> 'INSERT' AND EXISTS (
            SELECT 1 FROM reviews_worksheet WHERE id = OLD.worksheet_id AND frozen_at IS NOT NULL))
       OR (TG_OP <> 'DELETE' AND EXISTS (
            SELECT 1 FROM reviews_worksheet WHERE id = NEW.worksheet_id AND frozen_at IS NOT NULL)) THEN
        RAISE EXCEPTION 'The answers of a frozen worksheet cannot change: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER reviews_worksheet_frozen BEFORE UPDATE OR DELETE ON reviews_worksheet
    FOR EACH ROW EXECUTE FUNCTION reviews_worksheet_frozen_guard();
CREATE TRIGGER reviews_worksheet_answer_frozen BEFORE INSERT OR UPDATE OR DELETE ON reviews_worksheetanswer
    FOR EACH ROW EXECUTE FUNCTION reviews_worksheet_answer_frozen_guard();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS reviews_worksheet_answer_frozen ON reviews_worksheetanswer;
DROP TRIGGER IF EXISTS reviews_worksheet_frozen ON reviews_worksheet;
DROP FUNCTION IF EXISTS reviews_worksheet_answer_frozen_guard();
DROP FUNCTION IF EXISTS reviews_worksheet_frozen_guard();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("reviews", "0011_irr_exercises")]
    operations = [migrations.RunPython(forwards, backwards)]
