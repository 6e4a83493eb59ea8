"""Refuse UPDATE and DELETE of audit entries in the database itself, not only in the ORM.

PostgreSQL: a trigger refuses both, except a DELETE by `dangjian audit prune`, which sets
the transaction-local variable dangjian.audit_prune_before; even then only rows older
than that date and older than 180 days go. TRUNCATE (used by test-database flushes) is
left to database privileges. SQLite (development): UPDATE is refused; DELETE is left to
the ORM guard and `dangjian audit verify`, because Django's test flush deletes rows.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION core_auditentry_guard() RETURNS trigger LANGUAGE plpgsql AS $guard$
DECLARE
    allowed text := current_setting('dangjian.audit_prune_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND allowed IS NOT NULL AND allowed <> ''
       AND OLD.time < allowed::timestamptz AND OLD.time < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP;
END
$guard$;
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_guard();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_guard();
"""
SQLITE_FORWARD = """
CREATE TRIGGER IF NOT EXISTS core_auditentry_append_only BEFORE UPDATE ON core_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS core_auditentry_append_only;"


def _run(sql_by_vendor):
    def run(apps, schema_editor):
        sql = sql_by_vendor.get(schema_editor.connection.vendor)
        if sql:
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
