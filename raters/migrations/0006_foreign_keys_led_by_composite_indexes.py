"""Drop the single-column indexes of Judgment.project, Judgment.rater and ResultAnswer.serp.

Each leads a composite index already ((project, created_at), (rater, created_at) and (serp,
doc_id, question)), and every submit wrote them: a judgment, and a row per answer. Only the
indexes go; the foreign keys stay as they are (AlterField would drop and re-add them, which
re-checks every row of these tables, the largest in the database, under a lock).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FIELDS = [("judgment", "project"), ("judgment", "rater"), ("resultanswer", "serp")]


def _single_column_indexes(schema_editor, model, column):
    names = schema_editor._constraint_names(model, [column], index=True, unique=False, primary_key=False)
    with schema_editor.connection.cursor() as cursor:
        found = schema_editor.connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [name for name in names if found[name]["columns"] == [column] and not found[name]["foreign_key"]]


def drop_indexes(apps, schema_editor):
    for model_name, field_name in FIELDS:
        model = apps.get_model("raters", model_name)
        column = model._meta.get_field(field_name).column
        for name in _single_column_indexes(schema_editor, model, column):
            schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_indexes(apps, schema_editor):
    for model_name, field_name in FIELDS:
        model = apps.get_model("raters", model_name)
        field = model._meta.get_field(field_name)
        if not _single_column_indexes(schema_editor, model, field.column):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_foreign_keys_covered_by_other_indexes"),
        ("raters", "0005_assignment_has_sensitive"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="judgment",
                    name="project",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="judgments",
                        to="projects.evaluationproject",
                    ),
                ),
                migrations.AlterField(
                    model_name="judgment",
                    name="rater",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="judgments",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="resultanswer",
                    name="serp",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="projects.poolserp",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
        ),
    ]
