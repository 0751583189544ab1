"""Make the audit trail append-only in the database itself, not only in the ORM.

UPDATE is refused on SQLite and PostgreSQL; row DELETE is refused on PostgreSQL too.
TRUNCATE (PostgreSQL) and DELETE (SQLite) stay possible for the database owner, because the
test runner empties tables that way between tests; the application never issues either.
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
    """
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS core_auditevent_no_update;"]

POSTGRESQL = [
    """
    CREATE FUNCTION core_auditevent_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change();
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;",
    "DROP FUNCTION IF EXISTS core_auditevent_refuse_change();",
]


def _run(statements):
    def apply(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        )
    ]
