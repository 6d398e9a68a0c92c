"""Moving frames between PostgreSQL and pandas with COPY (fast, and text stays text)."""

from __future__ import annotations

import io

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql


def read_frame(conn: psycopg.Connection, query: str) -> pd.DataFrame:
    """The result of ``query`` with every column as text (object columns; nulls are NaN)."""
    buffer = io.BytesIO()
    with conn.cursor().copy(
        sql.SQL("copy ({}) to stdout with (format csv, header true)").format(sql.SQL(query))
    ) as copy:
        for block in copy:
            buffer.write(block)
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


def replace_table(conn: psycopg.Connection, table: str, frame: pd.DataFrame) -> None:
    """Truncate ``schema.table`` and COPY ``frame`` (columns by name) into it."""
    schema, name = table.split(".")
    ident = sql.Identifier(schema, name)
    conn.execute(sql.SQL("truncate {}").format(ident))
    if frame.empty:
        return
    text = frame.to_csv(index=False, header=False)
    with conn.cursor().copy(
        sql.SQL("copy {} ({}) from stdin with (format csv)").format(
            ident, sql.SQL(", ").join(map(sql.Identifier, frame.columns))
        )
    ) as copy:
        copy.write(text)
