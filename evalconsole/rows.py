"""Plain INSERTs for the rating hot path: values prepared by the model's own fields, no ORM build.

Building an INSERT through the ORM (model instances, `save`, `bulk_create`) cost several times
the statement itself on submit, which raters call once per judgment. These helpers write the
same rows: each value goes through its field's `get_db_prep_value`, so JSON, UUIDs and times are
stored exactly as the ORM stores them, on PostgreSQL and SQLite alike.
"""

from django.db import connection


def insert_rows(model, fields: tuple[str, ...], rows: list[tuple], *, returning: str | None = None) -> list:
    """INSERT `rows` (values in the order of `fields`, by attname) into `model`'s table in one statement.

    Returns the `returning` column of each row, in order, when asked; [] otherwise.
    """
    if not rows:
        return []
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]  # attnames too: "task_id"
    quote = connection.ops.quote_name
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Names from the model's metadata only; every value is a parameter.
    sql = "INSERT INTO {} ({}) VALUES {}".format(  # noqa: S608
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in model_fields),
        ", ".join([placeholders] * len(rows)),
    )
    params = [
        field.get_db_prep_save(value, connection)
        for row in rows
        for field, value in zip(model_fields, row, strict=True)
    ]
    with connection.cursor() as cursor:
        if returning is None:
            cursor.execute(sql, params)
            return []
        column = quote(meta.get_field(returning).column)
        if connection.features.can_return_columns_from_insert:
            cursor.execute(f"{sql} RETURNING {column}", params)
            return [row[0] for row in cursor.fetchall()]
        if len(rows) > 1:
            raise ValueError("This database returns no columns from a multi-row INSERT; insert one row at a time.")
        cursor.execute(sql, params)
        return [cursor.lastrowid]
