"""What an incremental linkage run reads: the changed mentions and the known subjects near them.

A new mention is decided by the same rules as in a full run, and those rules compare it with
the subjects known by a valid key (the police register's name of an ID, the phones and
addresses seen with it, its register household). Reading all three million mentions for ten
thousand new ones would cost most of a full run, so the run reads, besides the new and changed
mentions themselves (``_changes``, ``hub/linkage/changes.py``), only the mentions of the keys
they could be linked to:

* persons: the valid IDs a key-less new mention names (its repaired ID, its mother) and the ones
  that share a blocking key of ``matching/settings/person.yaml`` with it — pinyin (every rule on
  names and birth dates starts with it), name, phone, address code or address tail with the
  surname, register household — each with all its mentions, so its anchor is the full run's;
* entities: every mention with a valid credit code (a tenth of the persons' size).

A mention with a valid key needs nothing around it: the key is the subject.
"""

from __future__ import annotations

import pandas as pd
import psycopg
from psycopg import sql

from hub.linkage.changes import mention_hash, whole_table_scans
from hub.linkage.frames import read_frame
from hub.linkage.persons import _row_group

REGISTER = "gaj_rkxx"  # the police household register (户籍): the register households


def read_changed(conn: psycopg.Connection, mentions: str, columns: str) -> pd.DataFrame:
    """The new and changed mentions, with their hash (found through the mention id index)."""
    query = sql.SQL(
        "select {columns}, {hash} as mention_hash from {mentions} "
        "where mention_id in (select mention_id from _changes where change <> 'gone')"
    ).format(columns=sql.SQL(columns), hash=mention_hash(columns), mentions=_table(mentions))
    return read_frame(conn, query.as_string(conn))


def read_person_context(
    conn: psycopg.Connection, mentions: str, columns: str, changed: pd.DataFrame
) -> pd.DataFrame:
    """The mentions of every valid ID a key-less changed mention could be linked to."""
    todo = changed[changed["citizen_id"].isna()]
    if todo.empty:
        return changed.iloc[:0]
    name = todo["name"].str.strip()
    surname = name.str.slice(0, 1)
    address_tail = todo["address_text"].str.strip().str.slice(-14)
    # the valid IDs met in the same staged row (a newborn's mother, co-residents) that are
    # themselves new, as they are when the row is
    group = pd.Series(_row_group(changed), index=changed.index)
    beside = changed[changed["citizen_id"].notna() & group.isin(set(group[todo.index]))]
    related = pd.concat(
        [todo["citizen_id_suggestion"], todo["mother_citizen_id"], beside["citizen_id"]]
    )
    query = sql.SQL(
        """
        with households as (
            select household_number from {mentions}
            where extract = %(register)s and household_number is not null
                and citizen_id = any(%(related)s)
        ),
        candidates as (
            select citizen_id from {mentions}
            where citizen_id is not null and (
                name_phonetic_key = any(%(pinyin)s)
                or name = any(%(names)s)
                or phone = any(%(phones)s)
                or address_code || '|' || left(btrim(name), 1) = any(%(address_surname)s)
                or right(btrim(address_text), 14) || '|' || left(btrim(name), 1)
                    = any(%(tail_surname)s)
                or (extract = %(register)s
                    and household_number in (select household_number from households))
            )
            union
            select unnest(%(related)s::text[])
        )
        select {columns}, {hash} as mention_hash from {mentions}
        where citizen_id in (select citizen_id from candidates)
        """
    ).format(columns=sql.SQL(columns), hash=mention_hash(columns), mentions=_table(mentions))
    params = {
        "register": REGISTER,
        "related": _values(related),
        "pinyin": _values(todo["name_phonetic_key"]),
        "names": _values(name),
        "phones": _values(todo["phone"]),
        "address_surname": _values(todo["address_code"] + "|" + surname),
        "tail_surname": _values(address_tail + "|" + surname),
    }
    with whole_table_scans(conn):
        # read_frame copies out a query text: the parameters are bound by the client here
        return read_frame(conn, psycopg.ClientCursor(conn).mogrify(query, params))


def read_entity_context(
    conn: psycopg.Connection, mentions: str, columns: str, changed: pd.DataFrame
) -> pd.DataFrame:
    """Every mention with a valid credit code, when a changed mention lacks one."""
    if changed["credit_code"].notna().all():
        return changed.iloc[:0]
    query = sql.SQL(
        "select {columns}, {hash} as mention_hash from {mentions} where credit_code is not null"
    ).format(columns=sql.SQL(columns), hash=mention_hash(columns), mentions=_table(mentions))
    return read_frame(conn, query.as_string(conn))


def _values(series: pd.Series) -> list[str]:
    return sorted(set(series.dropna().astype(str)) - {""})


def _table(name: str) -> sql.Identifier:
    return sql.Identifier(*name.split("."))
