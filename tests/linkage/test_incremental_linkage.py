"""Incremental linkage: a run links only the new, changed and gone mentions and keeps the rest."""

from __future__ import annotations

import psycopg
import pytest

from hub.linkage import basis, registry, run
from hub.linkage.review import decide, open_items
from hub.linkage.run import link_subject
from tests.linkage.test_review_queue import MENTIONS, TWIN_A, TWIN_B

WANG, LI, ZHANG = "110101199003071234", "110101198512120021", "110101197001010011"
FILLERS = 30  # persons known only from the register, so that one change is a small share

COLUMNS = (
    "mention_id",
    "extract",
    "role",
    "citizen_id",
    "name",
    "name_phonetic_key",
    "birth_date",
    "phone",
)
CITY = [
    ("gaj_rkxx:1:1:person", "gaj_rkxx", "person", WANG, "王芳", "wangfang", None, "13800000001"),
    ("rsj_cbxx:2:1:insured", "rsj_cbxx", "insured", WANG, "王芳", "wangfang", None, None),
    ("gaj_rkxx:1:2:person", "gaj_rkxx", "person", LI, "李明", "liming", None, None),
    ("gaj_rkxx:1:3:person", "gaj_rkxx", "person", ZHANG, "张伟", "zhangwei", None, None),
    # a gridworker's resident without an ID: 李明 by name and birth date
    ("wgy_cj:3:1.1:resident", "wgy_cj", "resident", None, "李明", "liming", "1985-12-12", None),
    # a resident no register knows
    ("wgy_cj:3:2.1:resident", "wgy_cj", "resident", None, "赵六", "zhaoliu", "1999-09-09", None),
    *(
        (
            f"gaj_rkxx:1:{100 + k}:person",
            "gaj_rkxx",
            "person",
            f"11010119800101{k:04d}",
            f"居民{k}",
            f"jumin{k}",
            None,
            None,
        )
        for k in range(FILLERS)
    ),
]


def add(conn: psycopg.Connection, *rows: tuple) -> None:
    conn.cursor().executemany(
        f"insert into intermediate.int_person_mentions ({', '.join(COLUMNS)}) "
        f"values ({', '.join(['%s'] * len(COLUMNS))})",
        rows,
    )


def remove(conn: psycopg.Connection, mention_id: str) -> None:
    conn.execute("delete from intermediate.int_person_mentions where mention_id = %s", [mention_id])


def links(conn: psycopg.Connection) -> dict[str, tuple]:
    """mention_id → (master_id, method, score, mention_hash, the row version's xmin): an
    unchanged xmin means the row was not written again."""
    rows = conn.execute(
        "select mention_id, master_id, method, score, mention_hash, xmin::text "
        "from link.person_link"
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def master(conn: psycopg.Connection, mention_id: str) -> str:
    return links(conn)[mention_id][0]


@pytest.fixture
def conn(database):
    with psycopg.connect(database) as conn:
        conn.execute(MENTIONS.split("insert into")[0])
        add(conn, *CITY)
        first = link_subject(conn, "person")
        assert not first.incremental and first.full_reason == "no previous run"
        conn.commit()
        yield conn


def test_a_new_mention_of_a_known_id_alone_is_linked_to_that_persons_master(conn):
    before = links(conn)
    add(conn, ("mzj_hydj:4:1:wife", "mzj_hydj", "wife", WANG, "王芳", "wangfang", None, None))
    summary = link_subject(conn, "person")

    assert summary.incremental and summary.linked_now == 1 and summary.gone == 0
    after = links(conn)
    assert after["mzj_hydj:4:1:wife"][:3] == (before["gaj_rkxx:1:1:person"][0], "valid_key", 1.0)
    # every other link row is the same row, not written again
    assert {k: v for k, v in after.items() if k != "mzj_hydj:4:1:wife"} == before
    # the summary describes the whole link table
    assert summary.mentions == len(after) == len(CITY) + 1
    assert summary.masters == len({v[0] for v in after.values()})
    assert summary.by_method["valid_key"] == FILLERS + 5


def test_a_renamed_key_less_mention_is_linked_and_its_old_link_dropped(conn):
    li = master(conn, "gaj_rkxx:1:2:person")
    assert links(conn)["wgy_cj:3:1.1:resident"][:2] == (li, "fuzzy")
    remove(conn, "wgy_cj:3:1.1:resident")
    add(
        conn,
        ("wgy_cj:5:1.1:resident", "wgy_cj", "resident", None, "李明", "liming", "1985-12-12", None),
    )
    summary = link_subject(conn, "person")

    assert summary.incremental and (summary.linked_now, summary.gone) == (1, 1)
    after = links(conn)
    assert "wgy_cj:3:1.1:resident" not in after
    assert after["wgy_cj:5:1.1:resident"][:2] == (li, "fuzzy")
    assert summary.mentions == len(CITY)


def test_a_new_key_less_mention_joins_the_known_person_it_matches(conn):
    before = links(conn)
    add(
        conn,
        # 张伟 by name and birth date (from the ID): that person, not a new one
        (
            "wjw_swyxzm:6:1:deceased",
            "wjw_swyxzm",
            "deceased",
            None,
            "张伟",
            "zhangwei",
            "1970-01-01",
            None,
        ),
        # the same content as the resident no register knows: that person again
        (
            "wgy_cj:7:9.1:resident",
            "wgy_cj",
            "resident",
            None,
            "赵六",
            "zhaoliu",
            "1999-09-09",
            None,
        ),
    )
    summary = link_subject(conn, "person")

    assert summary.incremental and summary.linked_now == 2
    after = links(conn)
    assert after["wjw_swyxzm:6:1:deceased"][:2] == (master(conn, "gaj_rkxx:1:3:person"), "fuzzy")
    assert after["wgy_cj:7:9.1:resident"][:2] == (before["wgy_cj:3:2.1:resident"][0], "no_key")
    assert summary.masters == len({v[0] for v in before.values()})


def test_a_mention_re_derived_under_its_id_is_linked_again_without_taking_a_kept_id(conn):
    li = master(conn, "gaj_rkxx:1:2:person")
    before = links(conn)
    # a standardizer change gives the resident another birth date: no longer 李明 of the register
    conn.execute(
        "update intermediate.int_person_mentions set birth_date = '1991-01-01' "
        "where mention_id = 'wgy_cj:3:1.1:resident'"
    )
    summary = link_subject(conn, "person")

    assert summary.incremental and (summary.linked_now, summary.gone) == (1, 0)
    after = links(conn)
    now = after["wgy_cj:3:1.1:resident"]
    assert now[1] == "no_key" and now[3] != before["wgy_cj:3:1.1:resident"][3]
    # 李明's register mention keeps the master id; the resident who left gets a new one
    assert after["gaj_rkxx:1:2:person"] == before["gaj_rkxx:1:2:person"]
    assert now[0] != li and now[0] not in {v[0] for v in before.values()}


def test_gone_mentions_lose_their_links(conn):
    before = links(conn)
    remove(conn, "rsj_cbxx:2:1:insured")
    remove(conn, "wgy_cj:3:2.1:resident")
    summary = link_subject(conn, "person")

    assert summary.incremental and (summary.linked_now, summary.gone) == (0, 2)
    after = links(conn)
    assert after == {
        k: v
        for k, v in before.items()
        if k not in ("rsj_cbxx:2:1:insured", "wgy_cj:3:2.1:resident")
    }
    assert summary.mentions == len(CITY) - 2 and summary.masters == len(
        {v[0] for v in after.values()}
    )


def test_a_run_after_an_incremental_one_with_nothing_new_keeps_everything(conn):
    add(conn, ("mzj_hydj:4:1:wife", "mzj_hydj", "wife", WANG, "王芳", "wangfang", None, None))
    incremental = link_subject(conn, "person")
    assert incremental.incremental
    before = links(conn)
    again = link_subject(conn, "person")
    assert again.kept and not again.incremental and again.linked_now == 0
    assert (again.mentions, again.masters, again.by_method) == (
        incremental.mentions,
        incremental.masters,
        incremental.by_method,
    )
    assert links(conn) == before


def test_force_changed_code_changed_decisions_or_missing_hashes_link_everything(conn, monkeypatch):
    forced = link_subject(conn, "person", force=True)
    assert (forced.incremental, forced.full_reason, forced.linked_now) == (
        False,
        "forced",
        len(CITY),
    )

    conn.execute("update link.person_link set mention_hash = null where mention_id like 'wgy%'")
    add(conn, ("mzj_hydj:4:2:wife", "mzj_hydj", "wife", LI, "李明", "liming", None, None))
    unhashed = link_subject(conn, "person")
    assert unhashed.full_reason == "links without mention hashes"
    assert links(conn)["wgy_cj:3:1.1:resident"][3] is not None

    add(conn, ("mzj_hydj:4:1:wife", "mzj_hydj", "wife", WANG, "王芳", "wangfang", None, None))
    monkeypatch.setattr(basis, "linkage_version", lambda: "another version")
    code = link_subject(conn, "person")
    assert not code.incremental and code.full_reason == "linkage code or settings changed"


def test_a_change_above_the_share_links_everything(conn, monkeypatch):
    for k in range(8):  # 8 of 36 mentions: 22 %
        conn.execute(
            "update intermediate.int_person_mentions set phone = %s where mention_id = %s",
            [f"1390000{k:04d}", f"gaj_rkxx:1:{100 + k}:person"],
        )
    summary = link_subject(conn, "person")
    assert not summary.incremental and summary.full_reason.startswith("22.2% of mentions changed")
    assert summary.linked_now == len(CITY)

    conn.rollback()
    monkeypatch.setattr(run, "FULL_RELINK_SHARE", 0.5)
    for k in range(8):
        conn.execute(
            "update intermediate.int_person_mentions set phone = %s where mention_id = %s",
            [f"1390000{k:04d}", f"gaj_rkxx:1:{100 + k}:person"],
        )
    assert link_subject(conn, "person").incremental


def test_a_crash_leaves_the_previous_links_and_basis(conn, monkeypatch):
    before = links(conn)
    stored = conn.execute("select basis, summary from link.link_basis").fetchall()
    add(conn, ("mzj_hydj:4:1:wife", "mzj_hydj", "wife", WANG, "王芳", "wangfang", None, None))
    remove(conn, "rsj_cbxx:2:1:insured")
    conn.commit()

    def fail(*args, **kwargs):
        raise RuntimeError("the machine went down")

    monkeypatch.setattr(run, "assign_master_ids", fail)
    with pytest.raises(RuntimeError):
        link_subject(conn, "person")
    conn.rollback()
    assert links(conn) == before
    assert conn.execute("select basis, summary from link.link_basis").fetchall() == stored


def test_registered_anchors_are_looked_up_one_by_one_or_read_whole_alike(conn, monkeypatch):
    add(conn, ("mzj_hydj:4:1:wife", "mzj_hydj", "wife", WANG, "王芳", "wangfang", None, None))
    monkeypatch.setattr(registry, "FEW_ANCHORS", 0)  # the whole registry is read
    summary = link_subject(conn, "person")
    assert summary.incremental
    assert master(conn, "mzj_hydj:4:1:wife") == master(conn, "gaj_rkxx:1:1:person")


def test_the_link_asset_shows_what_the_run_did(conn, database, settings):
    import dagster as dg

    from orchestration.defs.link.assets import link_stage
    from orchestration.resources import HubResource

    add(conn, ("mzj_hydj:4:1:wife", "mzj_hydj", "wife", WANG, "王芳", "wangfang", None, None))
    remove(conn, "rsj_cbxx:2:1:insured")
    conn.commit()
    hub = HubResource(home=str(settings.home), database_url=database)
    # the person asset alone of the link step (the city has no entity mentions)
    result = dg.materialize([link_stage], selection="link/person_link", resources={"hub": hub})

    (materialization,) = result.asset_materializations_for_node("link")
    assert materialization.asset_key == dg.AssetKey(["link", "person_link"])
    metadata = materialization.metadata
    assert metadata["incremental"].value is True and metadata["kept_unchanged"].value is False
    assert (metadata["linked_now"].value, metadata["links_of_gone_mentions_removed"].value) == (
        1,
        1,
    )
    assert metadata["mentions"].value == len(CITY) and metadata["full_relink_reason"].value == ""


# --- the review queue ------------------------------------------------------------------------


@pytest.fixture
def twins(database):
    """The twins of ``test_review_queue`` (two IDs, one name, a newborn between them) and the
    fillers: the newborn waits in the queue with two open pairs."""
    with psycopg.connect(database) as conn:
        conn.execute(MENTIONS.replace("%(a)s", f"'{TWIN_A}'").replace("%(b)s", f"'{TWIN_B}'"))
        add(conn, *CITY[6:])
        assert link_subject(conn, "person").review_open == 2
        conn.commit()
        yield conn


def redeliver_newborn(conn: psycopg.Connection) -> None:
    """The twins' newborn delivered again, unchanged, in another delivery (a new mention id)."""
    remove(conn, "wjw_csyxzm:2:1:newborn")
    again = ("wjw_csyxzm:8:1:newborn", "wjw_csyxzm", "newborn", None, "李明", "liming")
    add(conn, (*again, "1973-04-30", None))


def _open_pairs(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute(
        "select review_id, mention_id, candidate from link.review_queue "
        "where status = 'open' order by review_id"
    ).fetchall()


def test_open_pairs_of_mentions_the_run_did_not_look_at_wait_as_they_were(twins):
    pairs = _open_pairs(twins)
    add(twins, ("mzj_hydj:4:1:wife", "mzj_hydj", "wife", WANG, "王芳", "wangfang", None, None))
    summary = link_subject(twins, "person")
    assert summary.incremental and summary.review_open == 2
    assert _open_pairs(twins) == pairs

    # the newborn delivered again under another id: the same pairs, now naming the new mention
    redeliver_newborn(twins)
    summary = link_subject(twins, "person")
    assert summary.incremental and summary.review_open == 2
    assert _open_pairs(twins) == [(i, "wjw_csyxzm:8:1:newborn", c) for i, _, c in pairs]

    # the newborn no longer delivered: its pairs leave the queue
    remove(twins, "wjw_csyxzm:8:1:newborn")
    summary = link_subject(twins, "person")
    assert summary.incremental and summary.review_open == 0


def test_a_steward_decision_links_everything_again_and_is_reused_incrementally(twins):
    item = next(i for i in open_items(twins, "person") if i.candidate == "id:" + TWIN_B)
    decide(twins, item.review_id, accept=True, steward="王科长")
    decided = link_subject(twins, "person")
    assert not decided.incremental and decided.full_reason == "steward decisions changed"
    twin_b = master(twins, "gaj_rkxx:1:2:person")
    assert links(twins)["wjw_csyxzm:2:1:newborn"][:2] == (twin_b, "steward")

    # the same newborn re-delivered: the decision is found again on its content
    redeliver_newborn(twins)
    summary = link_subject(twins, "person")
    assert summary.incremental and summary.review_open == 0
    assert links(twins)["wjw_csyxzm:8:1:newborn"][:2] == (twin_b, "steward")


# --- legal entities --------------------------------------------------------------------------

ENTITY_TABLE = """
create schema if not exists intermediate;
create table intermediate.int_entity_mentions (
    mention_id text, extract text, role text, credit_code text, credit_code_as_read text,
    organization_code text, registration_number text, name text, name_comparison_key text
);
"""
ENTITY_COLUMNS = ("mention_id", "extract", "role", "credit_code", "organization_code", "name")
ENTITY_COLUMNS += ("name_comparison_key",)


def entity(k: int) -> tuple:
    """A registered enterprise: credit code, its organization code, its name."""
    organization = f"MA{k:07d}"
    return (
        f"scjgj_qydj:1:{k}:entity",
        "scjgj_qydj",
        "entity",
        f"91420500{organization}X",
        organization,
        f"宜昌市企业{k}有限公司",
        f"宜昌市企业{k}",
    )


def add_entities(conn: psycopg.Connection, *rows: tuple) -> None:
    conn.cursor().executemany(
        f"insert into intermediate.int_entity_mentions ({', '.join(ENTITY_COLUMNS)}) "
        f"values ({', '.join(['%s'] * len(ENTITY_COLUMNS))})",
        rows,
    )


def entity_links(conn: psycopg.Connection) -> dict[str, tuple]:
    rows = conn.execute(
        "select mention_id, master_id, method, xmin::text from link.entity_link"
    ).fetchall()
    return {row[0]: row[1:] for row in rows}


def test_new_entity_mentions_alone_are_linked_to_the_registered_entities(database):
    with psycopg.connect(database) as conn:
        conn.execute(ENTITY_TABLE)
        add_entities(conn, *(entity(k) for k in range(30)))
        assert not link_subject(conn, "legal_entity").incremental
        conn.commit()
        before = entity_links(conn)
        first, second, third = (before[entity(k)[0]][0] for k in (1, 2, 3))

        _, _, _, code, organization, name, key = entity(1)
        add_entities(
            conn,
            ("rsj_cbxx:2:1:employer", "rsj_cbxx", "employer", code, None, name, key),
            # an older record: only the organization code embedded in the credit code
            ("bdc_djxx:3:1:owner", "bdc_djxx", "owner", None, entity(2)[4], None, None),
            # no code at all: the registered name
            ("bdc_djxx:3:2:owner", "bdc_djxx", "owner", None, None, entity(3)[5], entity(3)[6]),
        )
        summary = link_subject(conn, "legal_entity")

        assert summary.incremental and summary.linked_now == 3
        after = entity_links(conn)
        assert after["rsj_cbxx:2:1:employer"][:2] == (first, "valid_key")
        assert after["bdc_djxx:3:1:owner"][:2] == (second, "organization_code")
        assert after["bdc_djxx:3:2:owner"][:2] == (third, "fuzzy")
        assert {k: v for k, v in after.items() if k in before} == before
        assert (summary.mentions, summary.masters) == (33, 30)
