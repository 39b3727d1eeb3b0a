"""A database trigger that refuses any change to a published or retired guideline version.

Services, pages, the API and the admin refuse such changes already; the trigger makes the
rule hold for a raw UPDATE or a shell session too. Status may still move on (published ->
retired), which is all that ever changes after publishing.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION guidelines_version_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'guideline version % (v%) is %, and cannot be deleted', OLD.id, OLD.number, OLD.status;
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status <> 'draft' AND (
        NEW.body_markdown IS DISTINCT FROM OLD.body_markdown
        OR NEW.schema IS DISTINCT FROM OLD.schema
        OR NEW.changelog IS DISTINCT FROM OLD.changelog
        OR NEW.number IS DISTINCT FROM OLD.number
        OR NEW.guideline_id IS DISTINCT FROM OLD.guideline_id
        OR NEW.published_at IS DISTINCT FROM OLD.published_at
        OR NEW.status = 'draft'
    ) THEN
        RAISE EXCEPTION 'guideline version % (v%) is %, and cannot be changed', OLD.id, OLD.number, OLD.status;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER guidelines_version_frozen
BEFORE UPDATE OR DELETE ON guidelines_guidelineversion
FOR EACH ROW EXECUTE FUNCTION guidelines_version_frozen();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS guidelines_version_frozen ON guidelines_guidelineversion;
DROP FUNCTION IF EXISTS guidelines_version_frozen();
"""

# SQLite (the embedded default) guards updates only: Django's test flush deletes rows there,
# while on PostgreSQL it truncates, which row triggers do not see.
SQLITE_UP = """
CREATE TRIGGER guidelines_version_frozen
BEFORE UPDATE ON guidelines_guidelineversion
FOR EACH ROW WHEN OLD.status <> 'draft' AND (
    NEW.body_markdown IS NOT OLD.body_markdown
    OR NEW.schema IS NOT OLD.schema
    OR NEW.changelog IS NOT OLD.changelog
    OR NEW.number IS NOT OLD.number
    OR NEW.guideline_id IS NOT OLD.guideline_id
    OR NEW.published_at IS NOT OLD.published_at
    OR NEW.status = 'draft'
)
BEGIN
    SELECT RAISE(ABORT, 'a published or retired guideline version cannot be changed');
END;
"""

SQLITE_DOWN = "DROP TRIGGER IF EXISTS guidelines_version_frozen;"


def _run(schema_editor, sql_by_vendor):
    sql = sql_by_vendor.get(schema_editor.connection.vendor)
    if sql:
        # No params: the SQL holds % signs (RAISE formats) that are not placeholders.
        schema_editor.execute(sql, params=None)


def forwards(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP})


def backwards(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN})


class Migration(migrations.Migration):
    dependencies = [("guidelines", "0001_guideline_and_versions")]

    operations = [migrations.RunPython(forwards, backwards)]
