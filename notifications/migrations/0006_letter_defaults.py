"""Shipped configuration: version 1 of every letter template (plain language), the appeal
windows of RULES.md section 4, and, on PostgreSQL, a trigger that keeps issued letters
unchanged."""

from datetime import date

from django.db import migrations

APPEAL_WINDOWS = [
    # line of business, days, source
    ("medicare_advantage", 60, "42 CFR 422.582(b)"),
    ("medicaid", 60, "42 CFR 438.402(c)(2)(ii)"),
    ("chip", 60, "42 CFR 457.1260; 438.402"),
    ("commercial", 180, "45 CFR 147.136(b)(2)(ii)(C)"),
]

IMMUTABLE_SQL = """
CREATE OR REPLACE FUNCTION notifications_letter_immutable() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'issued' THEN
      RAISE EXCEPTION 'issued letter % cannot be deleted', OLD.id;
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status = 'issued' AND (
       NEW.status IS DISTINCT FROM OLD.status OR NEW.pdf IS DISTINCT FROM OLD.pdf
    OR NEW.sha256 IS DISTINCT FROM OLD.sha256 OR NEW.issued_at IS DISTINCT FROM OLD.issued_at
    OR NEW.template_id IS DISTINCT FROM OLD.template_id OR NEW.kind IS DISTINCT FROM OLD.kind
    OR NEW.recipient IS DISTINCT FROM OLD.recipient OR NEW.case_id IS DISTINCT FROM OLD.case_id
    OR NEW.recipient_address IS DISTINCT FROM OLD.recipient_address) THEN
    RAISE EXCEPTION 'issued letter % cannot be changed', OLD.id;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS notifications_letter_immutable ON notifications_letter;
CREATE TRIGGER notifications_letter_immutable BEFORE UPDATE OR DELETE ON notifications_letter
  FOR EACH ROW EXECUTE FUNCTION notifications_letter_immutable();
"""


def ship(apps, schema_editor):
    """The shipped rows (idempotent; tests put them back after a flush)."""
    from notifications.letters.defaults import TITLES, default_body

    LetterTemplate = apps.get_model("notifications", "LetterTemplate")
    AppealWindow = apps.get_model("notifications", "AppealWindow")
    for kind, title in TITLES.items():
        LetterTemplate.objects.get_or_create(
            kind=kind, version=1, defaults={"title": title, "body": default_body(kind), "note": "Shipped default."}
        )
    for lob, days, source in APPEAL_WINDOWS:
        AppealWindow.objects.get_or_create(
            line_of_business=lob, effective_from=date(2020, 1, 1), defaults={"days": days, "source": source}
        )


def load(apps, schema_editor):
    ship(apps, schema_editor)
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:  # no parameters: '%' is literal
            cursor.execute(IMMUTABLE_SQL)


def unload(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS notifications_letter_immutable ON notifications_letter; "
            "DROP FUNCTION IF EXISTS notifications_letter_immutable();"
        )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_letters")]
    operations = [migrations.RunPython(load, unload)]
