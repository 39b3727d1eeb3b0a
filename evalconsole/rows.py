"""Plain SQL for the rating hot path, with values as the models' own fields store and load them.

Building an INSERT through the ORM (model instances, `save`, `bulk_create`) cost several times
the statement itself on submit, which raters call once per judgment; so did a select_related
fetch. These helpers write and read the same rows: each value goes through its field's own
preparation or converters, so JSON, UUIDs, booleans and times are stored and loaded exactly as
the ORM does it, on PostgreSQL and SQLite alike.
"""

import hashlib
import re
from contextlib import nullcontext
from functools import cache
from weakref import WeakKeyDictionary

from django.conf import settings
from django.db import DatabaseError, connection, transaction

# --- Prepared statements (PostgreSQL) -----------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%s")
# The statements each open connection has prepared (a new connection starts empty).
_PREPARED: WeakKeyDictionary = WeakKeyDictionary()


@cache
def _as_prepared(sql: str) -> tuple[str, str, tuple[str, ...] | None]:
    """(name, the SQL with $1..$n, the parameter names in $ order, or None when positional)."""
    names: list[str] = []
    positional = 0

    def number(match):
        nonlocal positional
        if match.group(1) is None:
            positional += 1
            return f"${positional}"
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    body = _PLACEHOLDER.sub(number, sql)
    if names and positional:
        raise ValueError("Use either %s or %(name)s placeholders in one statement, not both.")
    return "ec_" + hashlib.blake2b(body.encode(), digest_size=10).hexdigest(), body, tuple(names) if names else None


def execute(cursor, sql: str, params) -> None:
    """Run `sql` (%s or %(name)s placeholders) on `cursor`; on PostgreSQL as a prepared statement.

    The rating hot path's statements are planned once per connection rather than on every call
    (planning was a third of PostgreSQL's time per judgment). PREPARE travels with the first
    EXECUTE in one round trip. DB_PREPARED_STATEMENTS=false turns it off, e.g. behind a pooler
    in transaction mode, where a session's prepared statements are not the next transaction's.
    """
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        cursor.execute(sql, params)
        return
    name, body, names = _as_prepared(sql)
    values = [params[key] for key in names] if names is not None else list(params)
    call = f"EXECUTE {name}({', '.join(['%s'] * len(values))})" if values else f"EXECUTE {name}"
    prepared = _PREPARED.setdefault(connection.connection, set())
    if name in prepared:
        cursor.execute(call, values)
        return
    try:
        cursor.execute(f"PREPARE {name} AS {body}; {call}", values)
    except DatabaseError as error:
        # PREPARE outlives a failed EXECUTE (it is not transactional): remember it unless it was
        # PREPARE that failed (class 42, but for "already exists").
        code = getattr(error.__cause__, "pgcode", None) or ""
        if not code.startswith("42") or code == "42P05":
            prepared.add(name)
        raise
    prepared.add(name)


def statement_scope():
    """Where one statement stands alone: in autocommit it is its own transaction (no BEGIN/COMMIT
    round trips); inside a caller's transaction a savepoint keeps its failure from spoiling it."""
    return transaction.atomic() if connection.in_atomic_block else nullcontext()


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


# --- Reading joined rows ------------------------------------------------------------------


@cache
def _loaders(model) -> tuple[tuple[str, ...], list]:
    """The model's attnames and, per column, the converters the ORM would apply to a raw value."""
    loaders = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        loaders.append((column, connection.ops.get_db_converters(column) + field.get_db_converters(connection)))
    return tuple(field.attname for field in model._meta.concrete_fields), loaders


def select_list(alias: str, model) -> str:
    """Every column of `model` under the table alias `alias`, in the order `load` reads them."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields)


def load(model, row: tuple, start: int = 0):
    """An instance of `model` from `row[start:]` (a select_list's columns), as the ORM would load it."""
    names, loaders = _loaders(model)
    values = []
    for (column, converters), value in zip(loaders, row[start : start + len(names)], strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        values.append(value)
    return model.from_db(connection.alias, names, values)


def width(model) -> int:
    return len(model._meta.concrete_fields)
