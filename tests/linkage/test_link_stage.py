"""The link stage runs person linkage, entity linkage and address matching side by side: the
same links as one after another, every step's outcome reported, a failed step undoing nothing of
the others."""

from __future__ import annotations

import dagster as dg
import psycopg
import pytest

from hub.linkage.addresses import match_addresses
from hub.linkage.run import LinkSummary, link_subject
from hub.linkage.stage import STEPS, LinkStageFailed, run_link_stage
from tests.linkage.test_address_incremental import TEXTS
from tests.linkage.test_address_incremental import _setup as setup_addresses
from tests.linkage.test_incremental_linkage import ENTITY_TABLE, add_entities, entity
from tests.linkage.test_review_queue import MENTIONS, TWIN_A, TWIN_B

PERSONS = MENTIONS.replace("%(a)s", f"'{TWIN_A}'").replace("%(b)s", f"'{TWIN_B}'")
TABLES = {
    "person": "select mention_id, master_id, method, score from link.person_link",
    "legal_entity": "select mention_id, master_id, method, score from link.entity_link",
    "address": "select address_text, std_address_code, score, method, level "
    "from link.address_match",
}


def _state(conn: psycopg.Connection, step: str) -> list[tuple]:
    return sorted(conn.execute(TABLES[step]).fetchall())


@pytest.fixture
def city(database):
    """Person, entity and address inputs, committed: what the three steps read."""
    with psycopg.connect(database) as conn:
        setup_addresses(conn, TEXTS)  # creates the schemas
        conn.execute(PERSONS.replace("create schema intermediate;", ""))
        conn.execute(ENTITY_TABLE)
        add_entities(conn, *(entity(k) for k in range(20)))
    return database


def test_the_stage_links_as_the_steps_one_after_another_do(city):
    outcomes = run_link_stage(city)

    assert list(outcomes) == list(STEPS) and all(o.ok for o in outcomes.values())
    assert outcomes["person"].result.mentions == 3
    assert outcomes["legal_entity"].result.mentions == 20
    assert outcomes["address"].result["matched_now"] == len(TEXTS)
    with psycopg.connect(city) as conn:
        staged = {step: _state(conn, step) for step in STEPS}
        assert all(staged.values())
        # the same work again, one step after another in this process, from scratch
        link_subject(conn, "person", force=True)
        link_subject(conn, "legal_entity", force=True)
        match_addresses(conn, incremental=False)
        assert {step: _state(conn, step) for step in STEPS} == staged


def test_a_failed_step_is_reported_and_the_others_are_committed(database):
    with psycopg.connect(database) as conn:
        conn.execute(PERSONS)  # persons only: no entity mentions, no address texts

    outcomes = run_link_stage(database)

    assert outcomes["person"].ok and isinstance(outcomes["person"].result, LinkSummary)
    for step in ("legal_entity", "address"):  # both ran in the child process, and failed there
        assert not outcomes[step].ok and outcomes[step].result is None
        assert "UndefinedTable" in outcomes[step].error
    with psycopg.connect(database) as conn:
        assert len(_state(conn, "person")) == 3


def test_a_stage_of_one_step_runs_it_alone(city):
    outcomes = run_link_stage(city, ["legal_entity"])

    assert list(outcomes) == ["legal_entity"] and outcomes["legal_entity"].ok
    with psycopg.connect(city) as conn:
        assert len(_state(conn, "legal_entity")) == 20
        assert conn.execute("select to_regclass('link.person_link')").fetchone()[0] is not None
        assert _state(conn, "person") == []


def test_an_unknown_step_is_refused_before_anything_runs(city):
    with pytest.raises(ValueError, match="unknown link step"):
        run_link_stage(city, ["person", "households"])
    with psycopg.connect(city) as conn:
        assert conn.execute("select to_regclass('link.person_link')").fetchone()[0] is None


def test_the_link_asset_records_the_steps_that_succeeded_then_fails(database, settings):
    from orchestration.defs.link.assets import link_stage
    from orchestration.resources import HubResource

    with psycopg.connect(database) as conn:
        conn.execute(PERSONS)
    hub = HubResource(home=str(settings.home), database_url=database)

    result = dg.materialize(
        [link_stage],
        selection=[dg.AssetKey(["link", "person_link"]), dg.AssetKey(["link", "entity_link"])],
        resources={"hub": hub},
        raise_on_error=False,
    )

    assert not result.success
    (materialization,) = result.asset_materializations_for_node("link")
    assert materialization.asset_key == dg.AssetKey(["link", "person_link"])
    assert materialization.metadata["mentions"].value == 3
    assert materialization.metadata["seconds"].value >= 0
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    message = failure.step_failure_data.error.to_string()  # with its cause
    assert LinkStageFailed.__name__ in message and "legal_entity" in message


def test_a_current_link_schema_is_left_alone_and_locks_nothing(database, monkeypatch):
    from hub.linkage import tables

    exclusive = (
        "select count(*) from pg_locks where pid = pg_backend_pid() "
        "and mode = 'AccessExclusiveLock' and locktype = 'relation'"
    )
    with psycopg.connect(database) as conn:
        tables.ensure_link_tables(conn)
        assert conn.execute(exclusive).fetchone()[0] > 0  # created now: locked till commit
        conn.commit()
        # current: a step that makes sure of it holds no lock another step would wait for
        tables.ensure_link_tables(conn)
        assert conn.execute(exclusive).fetchone()[0] == 0
        conn.rollback()
        # changed DDL (a newer hub): run again, and marked again
        monkeypatch.setattr(tables, "SCHEMA_MARK", "hub link tables newer")
        tables.ensure_link_tables(conn)
        assert conn.execute(exclusive).fetchone()[0] > 0
        conn.commit()
        comment = conn.execute("select obj_description('link'::regnamespace, 'pg_namespace')")
        assert comment.fetchone()[0] == "hub link tables newer"


def test_an_interrupted_stage_ends_its_child_at_once(city, monkeypatch):
    import multiprocessing
    import os
    import time

    from hub.linkage import stage

    here = os.getpid()

    def interrupted_or_slow(conn, subject):
        if os.getpid() == here:  # person linkage, in this process: a cancelled run
            raise KeyboardInterrupt
        time.sleep(120)  # entity linkage, in the child: still at work

    monkeypatch.setattr(stage, "link_subject", interrupted_or_slow)
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        stage.run_link_stage(city, ["person", "legal_entity"])

    assert time.perf_counter() - started < 30
    assert multiprocessing.active_children() == []


def test_a_child_that_dies_fails_its_steps_and_keeps_the_others(city, monkeypatch):
    import os

    from hub.linkage import stage

    here, real = os.getpid(), stage.link_subject

    def killed_in_the_child(conn, subject):
        if os.getpid() != here:
            os._exit(9)  # as if the kernel's OOM killer ended it mid-step
        return real(conn, subject)

    monkeypatch.setattr(stage, "link_subject", killed_in_the_child)
    outcomes = stage.run_link_stage(city)

    assert outcomes["person"].ok
    for step in ("legal_entity", "address"):  # both were the child's
        assert not outcomes[step].ok and "exit code 9" in outcomes[step].error
    with psycopg.connect(city) as conn:
        assert len(_state(conn, "person")) == 3
        assert _state(conn, "legal_entity") == [] and _state(conn, "address") == []


def test_a_stage_interrupted_while_waiting_for_its_child_ends_it(city, monkeypatch):
    import multiprocessing
    import os
    import time

    from hub.linkage import stage

    here = os.getpid()

    def quick_or_slow(conn, subject):
        if os.getpid() != here:
            time.sleep(120)  # entity linkage in the child, still at work
        return None

    def interrupted_wait(self):
        raise KeyboardInterrupt  # Ctrl-C while the stage waits for the child's outcomes

    monkeypatch.setattr(stage, "link_subject", quick_or_slow)
    monkeypatch.setattr(stage._Child, "outcomes", interrupted_wait)
    with pytest.raises(KeyboardInterrupt):
        stage.run_link_stage(city, ["person", "legal_entity"])

    assert multiprocessing.active_children() == []
