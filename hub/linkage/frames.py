"""Moving frames between PostgreSQL and pandas with COPY (fast, and text stays text).

Both directions go through CSV parsed or written by Arrow (in C++, on all cores), never through
Python rows: the link stage moves millions of rows each way at a million persons.
"""

from __future__ import annotations

import io

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from psycopg import pq, sql


def read_frame(conn: psycopg.Connection, query: str) -> pd.DataFrame:
    """The result of ``query`` with every column as text (object columns; nulls are NaN)."""
    buffer = _copy_out(
        conn, sql.SQL("copy ({}) to stdout with (format csv, header true)").format(sql.SQL(query))
    )
    if buffer.tell() == 0:
        return pd.DataFrame()
    buffer.seek(0)
    header = buffer.readline().decode().rstrip("\n").split(",")
    buffer.seek(0)
    table = pacsv.read_csv(
        buffer,
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in header},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )
    return table.to_pandas()


def _copy_out(conn: psycopg.Connection, statement: sql.Composable) -> io.BytesIO:
    """The bytes a ``copy … to stdout`` sends.

    libpq hands COPY data over one row at a time; psycopg's ``Copy`` iterator costs a few
    microseconds per row on top (a generator and a wait per row), which was a third of the time
    to read three million mentions. So psycopg starts the COPY (and the transaction) and, on an
    error, cancels it; the rows themselves are fetched with libpq's blocking ``PQgetCopyData``
    in a plain loop, and the COPY's final result is read the same way.
    """
    buffer = io.BytesIO()
    write = buffer.write
    with conn.cursor().copy(statement):
        pgconn = conn.pgconn
        while (got := pgconn.get_copy_data(0))[0] > 0:
            write(got[1])
        if got[0] != -1:  # -2: libpq failed
            raise psycopg.OperationalError(pgconn.get_error_message())
        while (result := pgconn.get_result()) is not None:
            if result.status != pq.ExecStatus.COMMAND_OK:
                raise psycopg.OperationalError(
                    result.error_message.decode(errors="replace") or "copy to stdout failed"
                )
    return buffer


def copy_frame(conn: psycopg.Connection, table: str, frame: pd.DataFrame) -> None:
    """COPY ``frame`` (columns by name) into ``table`` as CSV written by Arrow.

    An empty string is stored as null, as when pandas wrote the CSV (PostgreSQL reads an
    unquoted empty field as null); floats are written in their shortest exact form.
    """
    if frame.empty:
        return
    data = pa.Table.from_pandas(frame, preserve_index=False)
    for k, column in enumerate(data.columns):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            data = data.set_column(k, data.field(k), pc.if_else(pc.equal(column, ""), None, column))
    out = pa.BufferOutputStream()
    pacsv.write_csv(data, out, write_options=pacsv.WriteOptions(include_header=False))
    with conn.cursor().copy(
        sql.SQL("copy {} ({}) from stdin with (format csv)").format(
            sql.Identifier(*table.split(".")),
            sql.SQL(", ").join(map(sql.Identifier, frame.columns)),
        )
    ) as copy:
        copy.write(memoryview(out.getvalue()))


def replace_table(conn: psycopg.Connection, table: str, frame: pd.DataFrame) -> None:
    """Truncate ``schema.table`` and COPY ``frame`` (columns by name) into it.

    The table's plain (non-unique) indexes are dropped for the load and built again after it,
    with their own definitions: building a B-tree over three million links by sorting them is
    several times faster than inserting them one by one in random order (the master id index).
    Unique indexes and constraints stay (the rows come in key order, cheap to append).
    """
    schema, name = table.split(".")
    conn.execute(sql.SQL("truncate {}").format(sql.Identifier(schema, name)))
    if frame.empty:
        return
    plain = conn.execute(
        "select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) from pg_index i "
        "where i.indrelid = %s::regclass and not i.indisunique and not i.indisprimary",
        [table],
    ).fetchall()
    for index, _ in plain:
        conn.execute(sql.SQL("drop index {}").format(sql.Identifier(*index.split("."))))
    copy_frame(conn, table, frame)
    for _, definition in plain:
        conn.execute(definition)
