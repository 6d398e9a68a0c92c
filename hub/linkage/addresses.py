"""Address linkage (地址匹配): each distinct address text → a standard address code, once.

The register is the current delivery of the address register (``stg_zrzyj_bzdz``); the
matcher is ``hub.standardize.address_match`` (precision before recall: a text that fits
nothing certain gets no code). Results land in ``link.address_match`` keyed by the text, so
the libraries join them back wherever that text appears.

A text's answer depends only on the text, the register and the matcher's code — not on the
other texts. So a run remembers what it matched against (``link.address_match_basis``: the
register's loaded deliveries and a hash of the matcher's source files) and which texts found no
code (``link.address_unmatched``). When the basis is unchanged, the next run matches only the
texts it has not seen and drops the texts no department delivers any more: after a police
snapshot that changes 1% of persons, a few thousand texts instead of a million. A new register
delivery or a changed matcher matches everything again. Either way the tables end as a full run
over the current texts would leave them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import psycopg

from hub.linkage.basis import files_digest
from hub.linkage.frames import copy_frame, read_frame, replace_table
from hub.linkage.tables import ensure_link_tables
from hub.standardize.address_match import AddressMatcher

REGISTER = (
    "select std_address_code, county_code, street, community, grid_code, road, house_number, "
    "building, unit, room from stg.stg_zrzyj_bzdz__standard_addresses"
)
TEXTS = "intermediate.int_address_texts"
RESULT = ["address_text", "std_address_code", "score", "method", "level"]
# what a text's answer is computed from, besides the register: the standardizer package (the
# address parser, matcher and fuzzy step, and the code tables they read)
MATCHER_SOURCES = Path(__file__).resolve().parents[1] / "standardize"


def matcher_version() -> str:
    """A hash of the matcher's source and code-table files: a changed matcher matches again."""
    return files_digest(
        MATCHER_SOURCES, (MATCHER_SOURCES,), {".py", ".csv", ".yaml", ".json", ".txt"}
    )


def match_basis(conn: psycopg.Connection) -> str:
    """The register deliveries in use and the matcher version, as one text."""
    (deliveries,) = conn.execute(
        "select coalesce(string_agg(delivery_id::text, ',' order by delivery_id), '') "
        "from staging.delivery where extract = 'zrzyj_bzdz' and status = 'loaded'"
    ).fetchone()
    return f"register:{deliveries};matcher:{matcher_version()}"


def match_addresses(conn: psycopg.Connection, *, incremental: bool = True) -> dict[str, int]:
    """Match the distinct address texts (only the unseen ones when the basis is unchanged);
    returns the current counts by method, ``unmatched``, and ``matched_now`` (texts matched in
    this run)."""
    ensure_link_tables(conn)
    basis = match_basis(conn)
    (previous,) = conn.execute(
        "select coalesce(max(basis), '') from link.address_match_basis"
    ).fetchone()
    register = read_frame(conn, REGISTER)
    if incremental and previous == basis and not register.empty:
        # forget texts nobody delivers any more, then match the new ones
        for table in ("link.address_match", "link.address_unmatched"):
            conn.execute(
                f"delete from {table} as t where not exists "
                f"(select 1 from {TEXTS} as c where c.address_text = t.address_text)"
            )
        texts = read_frame(
            conn,
            f"select address_text from {TEXTS} as c where not exists "
            "(select 1 from link.address_match as m where m.address_text = c.address_text) "
            "and not exists "
            "(select 1 from link.address_unmatched as u where u.address_text = c.address_text)",
        )
        write = copy_frame
    else:
        texts = read_frame(conn, f"select address_text from {TEXTS}")
        write = replace_table
        if texts.empty or register.empty:
            texts = texts.iloc[0:0]
    matched, unmatched = _match(texts, register)
    write(conn, "link.address_match", matched)
    write(conn, "link.address_unmatched", unmatched)
    conn.execute("delete from link.address_match_basis")
    conn.execute("insert into link.address_match_basis (basis) values (%s)", [basis])
    return _counts(conn, matched_now=len(texts))


def _match(texts: pd.DataFrame, register: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(matched rows in ``RESULT`` columns, the texts that found no code)."""
    if texts.empty:
        return pd.DataFrame(columns=RESULT), pd.DataFrame(columns=["address_text"])
    found = AddressMatcher(register).match(texts["address_text"], workers=os.cpu_count() or 1)
    result = pd.concat([texts.reset_index(drop=True), found.reset_index(drop=True)], axis=1)
    hit = result["std_address_code"].notna()
    return result.loc[hit, RESULT], result.loc[~hit, ["address_text"]]


def _counts(conn: psycopg.Connection, *, matched_now: int) -> dict[str, int]:
    counts = {
        str(method): int(n)
        for method, n in conn.execute(
            "select method, count(*) from link.address_match group by method order by method"
        )
    }
    (counts["unmatched"],) = conn.execute("select count(*) from link.address_unmatched").fetchone()
    counts["matched_now"] = matched_now
    return counts
