"""Address matching again after a delivery: only unseen texts are matched, the result is what a
full run gives, and a new register (or matcher) matches everything again."""

from __future__ import annotations

import psycopg
import pytest

from hub.linkage.addresses import match_addresses
from tests.standardize.test_address_match import COLUMNS, _rows

TEXTS = [
    "湖北省宜昌市西陵区青岛路124号1栋2单元102室",
    "西陵区青岛路124号2栋",
    "西陵区 青岛路 124号 1-2-102",
    "宜都市姚家店镇金山村1组8号",
    "火星基地一号",  # nothing fits: remembered as unmatched
]


def _setup(conn: psycopg.Connection, texts: list[str]) -> None:
    conn.execute(
        "create schema staging; create schema stg; create schema intermediate;"
        "create table staging.delivery (delivery_id bigint, extract text, status text);"
        "insert into staging.delivery values (1, 'zrzyj_bzdz', 'loaded');"
        f"create table stg.stg_zrzyj_bzdz__standard_addresses ({', '.join(c + ' text' for c in COLUMNS)});"
        "create table intermediate.int_address_texts (address_text text primary key)"
    )
    with conn.cursor().copy(
        f"copy stg.stg_zrzyj_bzdz__standard_addresses ({', '.join(COLUMNS)}) from stdin"
    ) as copy:
        for row in _rows():
            copy.write_row([v or None for v in row])
    _deliver_texts(conn, texts)


def _deliver_texts(conn: psycopg.Connection, texts: list[str]) -> None:
    conn.execute("truncate intermediate.int_address_texts")
    with conn.cursor().copy("copy intermediate.int_address_texts from stdin") as copy:
        for text in texts:
            copy.write_row([text])


def _state(conn: psycopg.Connection) -> tuple[list, list]:
    matched = conn.execute(
        "select address_text, std_address_code, score, method, level "
        "from link.address_match order by 1"
    ).fetchall()
    unmatched = conn.execute("select address_text from link.address_unmatched order by 1")
    return matched, [t for (t,) in unmatched]


def test_a_second_run_matches_only_new_texts_and_ends_as_a_full_run(database):
    with psycopg.connect(database) as conn:
        _setup(conn, TEXTS)
        first = match_addresses(conn)
        assert first["matched_now"] == len(TEXTS)
        assert first["unmatched"] == 1 and "火星基地一号" in _state(conn)[1]

        # a new delivery: one text gone, two new ones (one of them unmatched)
        later = [*TEXTS[1:], "西陵区青岛路124号1栋1单元201室", "月球背面"]
        _deliver_texts(conn, later)
        second = match_addresses(conn)
        assert second["matched_now"] == 2, "only the unseen texts are matched"
        incremental = _state(conn)
        assert TEXTS[0] not in [t for t, *_ in incremental[0]], "a text no longer delivered goes"

        full = match_addresses(conn, incremental=False)
        assert full["matched_now"] == len(later)
        assert _state(conn) == incremental, "the same tables as a full run"
        assert {k: v for k, v in second.items() if k != "matched_now"} == {
            k: v for k, v in full.items() if k != "matched_now"
        }


@pytest.mark.parametrize("change", ["register", "matcher"])
def test_a_new_register_or_matcher_matches_everything_again(database, change, monkeypatch):
    with psycopg.connect(database) as conn:
        _setup(conn, TEXTS)
        match_addresses(conn)
        if change == "register":
            conn.execute("update staging.delivery set status = 'superseded'")
            conn.execute("insert into staging.delivery values (2, 'zrzyj_bzdz', 'loaded')")
        else:
            monkeypatch.setattr("hub.linkage.addresses.matcher_version", lambda: "changed")
        again = match_addresses(conn)
        assert again["matched_now"] == len(TEXTS)
        assert match_addresses(conn)["matched_now"] == 0
