"""A linkage run with nothing new keeps the links; any change to what linkage reads links again."""

from __future__ import annotations

import psycopg
import pytest

from hub.linkage import basis
from hub.linkage.review import decide, open_items
from hub.linkage.run import link_subject
from tests.linkage.test_review_queue import MENTIONS, TWIN_A, TWIN_B


def _links(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "select mention_id, master_id, method, score from link.person_link order by 1"
    ).fetchall()


def _linked_at(conn: psycopg.Connection) -> object:
    return conn.execute(
        "select linked_at from link.link_basis where subject = 'person'"
    ).fetchone()[0]


@pytest.fixture
def conn(database):
    with psycopg.connect(database) as conn:
        conn.execute(MENTIONS.replace("%(a)s", f"'{TWIN_A}'").replace("%(b)s", f"'{TWIN_B}'"))
        yield conn


def test_a_run_with_the_same_mentions_and_decisions_keeps_the_links(conn):
    first = link_subject(conn, "person")
    assert not first.kept
    links, stamp = _links(conn), _linked_at(conn)
    conn.commit()

    again = link_subject(conn, "person")
    assert again.kept
    assert _links(conn) == links and _linked_at(conn) == stamp
    # the summary of the kept links is the one the run that made them gave
    assert (again.mentions, again.masters, again.by_method, again.review_open) == (
        first.mentions,
        first.masters,
        first.by_method,
        first.review_open,
    )


def test_a_changed_or_new_mention_links_again(conn):
    link_subject(conn, "person")
    conn.execute(
        "insert into intermediate.int_person_mentions (mention_id, extract, role, citizen_id, "
        "name, name_phonetic_key) values ('gaj_rkxx:3:1:person', 'gaj_rkxx', 'person', "
        "'110101199003077777', '王芳', 'wangfang')"
    )
    added = link_subject(conn, "person")
    assert not added.kept
    assert ("gaj_rkxx:3:1:person", "valid_key") in {(m, k) for m, _, k, _ in _links(conn)}

    conn.execute(
        "update intermediate.int_person_mentions set name = '王芳芳' "
        "where mention_id = 'gaj_rkxx:3:1:person'"
    )
    assert not link_subject(conn, "person").kept
    assert link_subject(conn, "person").kept


def test_a_steward_decision_an_emptied_link_table_or_changed_code_links_again(conn, monkeypatch):
    link_subject(conn, "person")
    item = next(i for i in open_items(conn, "person") if i.candidate == "id:" + TWIN_B)
    decide(conn, item.review_id, accept=True, steward="王科长")
    decided = link_subject(conn, "person")
    assert not decided.kept and decided.by_method.get("steward") == 1

    conn.execute("truncate link.person_link")
    refilled = link_subject(conn, "person")
    assert not refilled.kept and len(_links(conn)) == refilled.mentions == 3

    monkeypatch.setattr(basis, "linkage_version", lambda: "another version")
    assert not link_subject(conn, "person").kept
    assert link_subject(conn, "person").kept
    assert not link_subject(conn, "person", force=True).kept
