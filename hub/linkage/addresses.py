"""Address linkage (地址匹配): each distinct address text → a standard address code, once.

The register is the current delivery of the address register (``stg_zrzyj_bzdz``); the
matcher is ``hub.standardize.address_match`` (precision before recall: a text that fits
nothing certain gets no code). Results land in ``link.address_match`` keyed by the text, so
the libraries join them back wherever that text appears.
"""

from __future__ import annotations

import os

import pandas as pd
import psycopg

from hub.linkage.frames import read_frame, replace_table
from hub.linkage.tables import ensure_link_tables
from hub.standardize.address_match import AddressMatcher

REGISTER = (
    "select std_address_code, county_code, street, community, grid_code, road, house_number, "
    "building, unit, room from stg.stg_zrzyj_bzdz__standard_addresses"
)


def match_addresses(conn: psycopg.Connection) -> dict[str, int]:
    """Match every distinct address text; returns counts by method."""
    ensure_link_tables(conn)
    texts = read_frame(conn, "select address_text from intermediate.int_address_texts")
    register = read_frame(conn, REGISTER)
    if texts.empty or register.empty:
        replace_table(conn, "link.address_match", pd.DataFrame())
        return {}
    found = AddressMatcher(register).match(texts["address_text"], workers=os.cpu_count() or 1)
    result = pd.concat([texts.reset_index(drop=True), found.reset_index(drop=True)], axis=1)
    result = result[result["std_address_code"].notna()]
    replace_table(
        conn,
        "link.address_match",
        result[["address_text", "std_address_code", "score", "method", "level"]],
    )
    counts = {str(k): int(v) for k, v in result["method"].value_counts().items()}
    counts["unmatched"] = int(len(texts) - len(result))
    return counts
