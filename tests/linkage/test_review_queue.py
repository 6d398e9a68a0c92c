"""The review queue through the database: a doubtful pair is stored, decided, and reused."""

from __future__ import annotations

import psycopg

from hub.linkage.review import decide, open_items
from hub.linkage.run import link_subject

TWIN_A, TWIN_B = "420502197304302914", "420502197304302930"

MENTIONS = """
create schema intermediate;
create table intermediate.int_person_mentions (
    mention_id text, extract text, role text, citizen_id text, citizen_id_as_read text,
    citizen_id_suggestion text, name text, name_phonetic_key text, sex text, birth_date date,
    phone text, address_code text, address_text text, household_number text,
    mother_citizen_id text, birth_month date, registration_county text
);
insert into intermediate.int_person_mentions (mention_id, extract, role, citizen_id, name,
    name_phonetic_key, birth_date) values
 ('gaj_rkxx:1:1:person', 'gaj_rkxx', 'person', %(a)s, '李明', 'liming', null),
 ('gaj_rkxx:1:2:person', 'gaj_rkxx', 'person', %(b)s, '李明', 'liming', null),
 ('wjw_csyxzm:2:1:newborn', 'wjw_csyxzm', 'newborn', null, '李明', 'liming', '1973-04-30');
"""


def test_a_doubtful_pair_waits_for_a_steward_whose_decision_links_it(database):
    with psycopg.connect(database) as conn:
        conn.execute(MENTIONS.replace("%(a)s", f"'{TWIN_A}'").replace("%(b)s", f"'{TWIN_B}'"))
        first = link_subject(conn, "person")
        assert first.review_open == 2
        items = open_items(conn, "person")
        assert {i.candidate for i in items} == {"id:" + TWIN_A, "id:" + TWIN_B}
        assert items[0].mention_record["name"] == "李明"

        chosen = next(i for i in items if i.candidate == "id:" + TWIN_B)
        decide(conn, chosen.review_id, accept=True, steward="王科长")
        second = link_subject(conn, "person")
        assert second.by_method.get("steward") == 1
        linked = conn.execute(
            "select l.master_id = (select master_id from link.person_link "
            "where mention_id = 'gaj_rkxx:1:2:person'), l.method from link.person_link l "
            "where mention_id = 'wjw_csyxzm:2:1:newborn'"
        ).fetchone()
        assert linked == (True, "steward")
        # the other candidate of the decided mention no longer waits
        assert second.review_open == 0
        # and the same again changes nothing
        assert link_subject(conn, "person").by_method == second.by_method
