"""IndicatorValue's references are checked by triggers instead of foreign keys.

PostgreSQL checked each foreign key once per inserted row, at commit: about half of a
million-row Fingertips load (benchmarks/README.md). Here statement-level AFTER INSERT and
AFTER UPDATE triggers gather each key's distinct ids from the statement's rows in one pass
and lock the rows they name FOR KEY SHARE, as PostgreSQL's own check does, so that a
concurrent DELETE of one waits instead of orphaning the value. An AFTER DELETE trigger on each
referenced table refuses to remove a row that a value still names; it reads what its
statement can see, which is exact under READ COMMITTED, Django's default. The checks run at
the end of each statement, not at commit as Django's deferred keys did. Not covered, as the
application does neither: changing a referenced row's id, and TRUNCATE ... CASCADE (a plain
TRUNCATE of a referenced table is still refused by other tables' foreign keys to it).

SQLite, the embedded default for development, the demo and tests, gets no triggers. A
trigger there names the tables it reads, and Django alters a SQLite table by rebuilding it, so
every later migration of core_area, core_user or the other referenced tables would fail on
them ("error in trigger ... no such table"). There the references rest on Django, as they do
for every write: PROTECT and SET_NULL guard deletions, and values are written with ids the
application has just read.

The SQL is built from the historical models, so it stays as this migration wrote it.
"""

from collections import defaultdict

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KEYS = (
    "indicator",
    "release",
    "area",
    "organisation",
    "period",
    "supersedes",
    "source",
    "created_by",
    "updated_by",
)
CHECK = "indicatorvalue_references"
EVENTS = ("insert", "update")


def _keys(apps, connection):
    """The value table, and (column, referenced table, its key column, SQL type) per key."""
    model = apps.get_model("indicators", "IndicatorValue")
    fields = [model._meta.get_field(name) for name in KEYS]
    keys = [
        (f.column, f.related_model._meta.db_table, f.target_field.column, f.db_type(connection))
        for f in fields
    ]
    return model._meta.db_table, keys


def _guard(referenced):
    return f"{referenced}_referenced_by_indicatorvalue"


def _postgresql_check(table, column, referenced, pk, q):
    """Lock the rows that one key's ids refer to, and name any that are missing."""
    wanted = f"wanted_{column}"
    return f"""
    IF {wanted} IS NOT NULL THEN
        SELECT count(*) INTO locked FROM (
            SELECT FROM {q(referenced)} WHERE {q(pk)} = ANY ({wanted}) FOR KEY SHARE
        ) AS found;
        IF locked < cardinality({wanted}) THEN
            SELECT string_agg(id::text, ', ') INTO missing FROM (
                SELECT w.id FROM unnest({wanted}) AS w (id)
                WHERE NOT EXISTS (SELECT FROM {q(referenced)} AS r WHERE r.{q(pk)} = w.id)
                ORDER BY w.id LIMIT 10
            ) AS m;
            RAISE EXCEPTION '{table}.{column} refers to missing {referenced} id(s) %',
                missing || CASE WHEN cardinality({wanted}) - locked > 10 THEN ', ...' ELSE '' END
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;"""


def _postgresql_guard(table, column, referenced, pk, q):
    """Refuse a deletion that leaves a value referring to a deleted row."""
    return f"""
    SELECT v.{q(column)}::text INTO example FROM {q(table)} AS v
    WHERE v.{q(column)} IN (SELECT o.{q(pk)} FROM old_rows AS o) LIMIT 1;
    IF example IS NOT NULL THEN
        RAISE EXCEPTION '{referenced} id % is still referenced from {table}.{column}', example
            USING ERRCODE = 'foreign_key_violation';
    END IF;"""


def _postgresql(table, keys, q):
    declare = "".join(f"\n    wanted_{column} {sql_type}[];" for column, *_, sql_type in keys)
    gather = ",\n        ".join(
        f"array_agg(DISTINCT {q(column)}) FILTER (WHERE {q(column)} IS NOT NULL)"
        for column, *_ in keys
    )
    into = ", ".join(f"wanted_{column}" for column, *_ in keys)
    checks = "".join(
        _postgresql_check(table, column, referenced, pk, q) for column, referenced, pk, _ in keys
    )
    statements = [
        f"""CREATE FUNCTION {q(CHECK)}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE{declare}
    locked bigint;
    missing text;
BEGIN
    SELECT
        {gather}
    INTO {into}
    FROM new_rows;{checks}
    RETURN NULL;
END
$$""",
        # An UPDATE checks every key of the rows it changed: a trigger with a transition
        # table cannot be limited to some columns.
        *(
            f"CREATE TRIGGER {q(f'{CHECK}_{event}')} AFTER {event.upper()} ON {q(table)} "
            f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {q(CHECK)}()"
            for event in EVENTS
        ),
    ]
    # DELETE only: the application never changes a primary key, so an UPDATE of a
    # referenced id is not checked.
    referencing = defaultdict(list)
    for column, referenced, pk, _ in keys:
        referencing[referenced, pk].append(column)
    for (referenced, pk), columns in referencing.items():
        guard = q(_guard(referenced))
        checks = "".join(_postgresql_guard(table, column, referenced, pk, q) for column in columns)
        statements += [
            f"""CREATE FUNCTION {guard}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    example text;
BEGIN{checks}
    RETURN NULL;
END
$$""",
            f"CREATE TRIGGER {guard} AFTER DELETE ON {q(referenced)} "
            f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {guard}()",
        ]
    return statements


def _postgresql_reverse(table, keys, q):
    statements = [f"DROP TRIGGER {q(f'{CHECK}_{event}')} ON {q(table)}" for event in EVENTS]
    statements.append(f"DROP FUNCTION {q(CHECK)}()")
    for referenced in dict.fromkeys(referenced for _, referenced, *_ in keys):
        guard = q(_guard(referenced))
        statements += [f"DROP TRIGGER {guard} ON {q(referenced)}", f"DROP FUNCTION {guard}()"]
    return statements


def _run(builders):
    def run(apps, schema_editor):
        build = builders.get(schema_editor.connection.vendor)
        if build is None:
            return
        table, keys = _keys(apps, schema_editor.connection)
        for sql in build(table, keys, schema_editor.quote_name):
            # No parameters, so that the driver leaves plpgsql's % placeholders alone.
            schema_editor.execute(sql, params=None)

    return run


install = _run({"postgresql": _postgresql})
uninstall = _run({"postgresql": _postgresql_reverse})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_area_replaces"),
        ("indicators", "0004_slimmer_value_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="indicatorvalue",
            name="area",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.area",
            ),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="indicator",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="values",
                to="indicators.indicator",
            ),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="period",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.period",
            ),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="release",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="values",
                to="indicators.release",
            ),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="source",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to="core.source",
            ),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="supersedes",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="superseded_by",
                to="indicators.indicatorvalue",
            ),
        ),
        migrations.AlterField(
            model_name="indicatorvalue",
            name="updated_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
