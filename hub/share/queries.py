"""The service's SQL: every lookup on the serving tables (schema ``share``), bound parameters only.

County scope is part of each query (``%(county)s`` null for a city-wide department), so a record
outside a county operator's scope never leaves the database.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import psycopg
from psycopg.rows import dict_row

Row = dict[str, Any]


def _all(conn: psycopg.Connection, query: str, params: dict) -> list[Row]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(query, params).fetchall()


def _one(conn: psycopg.Connection, query: str, params: dict) -> Row | None:
    rows = _all(conn, query, params)
    return rows[0] if rows else None


def person_by_citizen_id(conn, citizen_id: str, county: str | None) -> Row | None:
    return _one(
        conn,
        "select * from share.person where citizen_id = %(id)s "
        "and (%(county)s::text is null or %(county)s = any(counties)) "
        "order by master_id limit 1",
        {"id": citizen_id, "county": county},
    )


def entity_by_code(conn, code: str, county: str | None) -> Row | None:
    """By unified social credit code, or by the 9-character organization code inside it."""
    return _one(
        conn,
        "select * from share.legal_entity "
        "where (credit_code = %(code)s or organization_code = %(code)s) "
        "and (%(county)s::text is null or %(county)s = any(counties)) "
        "order by (credit_code = %(code)s) desc, master_id limit 1",
        {"code": code, "county": county},
    )


def house_by_unit(conn, unit_number: str, county: str | None) -> Row | None:
    return _one(
        conn,
        "select * from share.house where unit_number = %(unit)s "
        "and (%(county)s::text is null or county = %(county)s) limit 1",
        {"unit": unit_number, "county": county},
    )


def search_persons(
    conn,
    *,
    name_key: str | None,
    phonetic_key: str | None,
    birth_date: dt.date | None,
    county: str | None,
    limit: int,
) -> list[Row]:
    """Same canonical name (traditional→simplified, spacing) or same pinyin; exact first."""
    return _all(
        conn,
        "select *, name_key = %(name)s as exact from share.person "
        "where (name_key = %(name)s or phonetic_key = %(phonetic)s) "
        "and (%(birth)s::date is null or birth_date = %(birth)s) "
        "and (%(county)s::text is null or %(county)s = any(counties)) "
        "order by exact desc, master_id limit %(limit)s",
        {
            "name": name_key,
            "phonetic": phonetic_key,
            "birth": birth_date,
            "county": county,
            "limit": limit,
        },
    )


def household_members(conn, person: Row, county: str | None) -> list[Row]:
    if not person.get("household_number"):
        return []
    return _all(
        conn,
        "select p.*, m.relation_to_head as member_relation, m.is_head "
        "from share.household_membership as m "
        "join share.person as p on p.master_id = m.person_master_id "
        "where m.household_number = %(household)s and m.person_master_id <> %(me)s "
        "and (%(county)s::text is null or %(county)s = any(p.counties)) "
        "order by m.is_head desc, p.master_id",
        {"household": person["household_number"], "me": person["master_id"], "county": county},
    )


def houses_owned(conn, person: Row, county: str | None) -> list[Row]:
    return _all(
        conn,
        "select h.*, o.ownership from share.house_owner as o "
        "join share.house as h on h.master_id = o.house_master_id "
        "where o.owner_subject = 'person' and o.owner_master_id = %(me)s "
        "and (%(county)s::text is null or h.county = %(county)s) "
        "order by h.master_id",
        {"me": person["master_id"], "county": county},
    )


def entities_represented(conn, person: Row, county: str | None) -> list[Row]:
    return _all(
        conn,
        "select e.* from share.legal_entity as e "
        "where (e.master_id in ("
        "  select entity_master_id from share.legal_representative "
        "  where person_master_id = %(me)s"
        ") or e.legal_rep_master_id = %(me)s) "
        "and (%(county)s::text is null or %(county)s = any(e.counties)) "
        "order by e.master_id",
        {"me": person["master_id"], "county": county},
    )


def employers(conn, person: Row, county: str | None) -> list[Row]:
    return _all(
        conn,
        "select e.*, m.insurance_type, m.insurance_status, m.paying "
        "from share.employment as m "
        "join share.legal_entity as e on e.master_id = m.entity_master_id "
        "where m.person_master_id = %(me)s "
        "and (%(county)s::text is null or %(county)s = any(e.counties)) "
        "order by m.paying desc, e.master_id",
        {"me": person["master_id"], "county": county},
    )


def batch_check(conn, citizen_ids: list[str], county: str | None) -> dict[str, Row]:
    """Precomputed check answers for the IDs found (within the county), by citizen ID."""
    rows = _all(
        conn,
        "select * from share.person_check where citizen_id = any(%(ids)s) "
        "and (%(county)s::text is null or %(county)s = any(counties))",
        {"ids": citizen_ids, "county": county},
    )
    return {r["citizen_id"]: r for r in rows}
