"""Benchmark: incremental person linkage after a 1 % change, against a full relink.

    .venv/bin/python -m benchmarks.incremental_linkage --database-url URL [--json]

URL is a linked city's database that may be changed (a copy: ``createdb -T <city> bench_inc``).
The script

1. links once so that the link table carries mention hashes (a full run when it does not yet;
   committed);
2. simulates a re-delivered police snapshot staged as its change set (committed; each run of
   the script stages another, under a new simulated delivery id): about
   ``--changed`` register mentions come again under a new delivery with a changed name (new
   mention ids), ``--key-less`` mentions without a valid ID come again under new ids (half with
   a new phone: they go through the rules and the engine), ``--gone`` register mentions leave;
3. times ``link_subject(conn, 'person')`` (incremental) and ``force=True`` (full) on the same
   data, each rolled back, then the incremental run again (committed) and a run with nothing
   changed (the links kept);
4. compares the two results mention by mention: mentions whose person (the set of mentions
   sharing its master id) differs, over all mentions and over the changed ones.

The machine's load average is printed before each timing (the machine may be shared).
"""

from __future__ import annotations

import json
import os
import time
from typing import Annotated

import pandas as pd
import psycopg
import typer

from hub.linkage.frames import read_frame
from hub.linkage.run import link_subject

app = typer.Typer(add_completion=False)

SIMULATED = 900_000_000  # simulated deliveries are numbered above this (mention ids name them)
MENTIONS = "intermediate.int_person_mentions"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(conn: psycopg.Connection, **kwargs) -> tuple[float, object, str]:
    """Seconds of one person linkage run, its summary and the load average before it."""
    before = load()
    started = time.perf_counter()
    summary = link_subject(conn, "person", **kwargs)
    return time.perf_counter() - started, summary, before


def simulate_change(conn: psycopg.Connection, changed: int, key_less: int, gone: int) -> int:
    """Stage the change set of a police snapshot (and some key-less mentions) under a new
    simulated delivery; its id."""
    (delivery,) = conn.execute(
        f"select greatest(max(delivery_id), {SIMULATED}) + 1 from {MENTIONS} "
        f"where delivery_id > {SIMULATED}"
    ).fetchone()
    conn.execute("drop table if exists _picked")
    conn.execute(
        f"""
        create temporary table _picked as
        (select mention_id, 'register' as kind from {MENTIONS}
         where extract = 'gaj_rkxx' order by hashtext(mention_id || {delivery}) limit %s)
        union all
        (select mention_id, 'key_less' from {MENTIONS} where citizen_id is null
         and name is not null order by hashtext(mention_id || {delivery}) limit %s)
        """,
        [changed, key_less],
    )
    conn.execute(
        f"create temporary table _moved as select m.*, p.kind from {MENTIONS} m "
        "join _picked p using (mention_id)"
    )
    # a new delivery of the same rows: new mention ids; register names corrected (last
    # character), every second key-less mention with a new phone
    conn.execute(
        f"""
        update _moved set
            delivery_id = {delivery},
            mention_id = regexp_replace(mention_id, '^([^:]*):([^:]*):', '\\1:{delivery}:\\2-'),
            name = case when kind = 'register' then left(name, -1) || '明' else name end,
            phone = case when kind = 'key_less' and hashtext(mention_id) % 2 = 0
                         then '1390' || lpad((abs(hashtext(mention_id)) % 10000000)::text, 7, '0')
                         else phone end
        """
    )
    conn.execute("alter table _moved drop column kind")
    conn.execute(f"delete from {MENTIONS} where mention_id in (select mention_id from _picked)")
    conn.execute(f"insert into {MENTIONS} select * from _moved")
    # register rows no longer delivered
    conn.execute(
        f"""
        delete from {MENTIONS} where mention_id in (
            select mention_id from {MENTIONS}
            where extract = 'gaj_rkxx' and delivery_id <> {delivery}
            order by hashtext(mention_id || 'gone' || {delivery}) limit %s)
        """,
        [gone],
    )
    conn.execute(f"analyze {MENTIONS}")
    conn.execute("drop table _picked; drop table _moved")
    return int(delivery)


def links(conn: psycopg.Connection) -> pd.DataFrame:
    return read_frame(conn, "select mention_id, master_id, method from link.person_link")


def compare(incremental: pd.DataFrame, full: pd.DataFrame, delivery: int) -> dict:
    """Mentions whose person differs between the two runs, over all mentions and over the
    changed ones. A person is told by its members (its smallest mention id), not its master
    id: master ids are stable, but a new person's id comes from a sequence that a rolled-back
    run has advanced."""
    both = incremental.merge(full, on="mention_id", suffixes=("_inc", "_full"))
    for run in ("inc", "full"):
        both[f"person_{run}"] = both.groupby(f"master_id_{run}")["mention_id"].transform("min")
    differs = both["person_inc"] != both["person_full"]
    changed = both["mention_id"].str.contains(f":{delivery}:", regex=False)
    return {
        "mentions": len(both),
        "person_differs": int(differs.sum()),
        "changed_mentions": int(changed.sum()),
        "changed_person_differs": int((differs & changed).sum()),
        "changed_method_differs": int(
            (changed & (both["method_inc"] != both["method_full"])).sum()
        ),
    }


@app.command()
def main(
    database_url: Annotated[str, typer.Option(help="a linked city's database, a copy")],
    changed: Annotated[
        int, typer.Option(help="register mentions delivered again, renamed")
    ] = 10_000,
    key_less: Annotated[
        int, typer.Option(help="mentions without a valid ID delivered again")
    ] = 1_000,
    gone: Annotated[int, typer.Option(help="register mentions no longer delivered")] = 300,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    out: dict = {"cores": os.cpu_count()}
    with psycopg.connect(database_url) as conn:
        seconds, summary, before = timed(conn)
        conn.commit()
        out["prepare_run"] = {"seconds": round(seconds, 1), "load": before, **summary.to_dict()}
        delivery = simulate_change(conn, changed, key_less, gone)
        conn.commit()
        out["change"] = {
            "delivery": delivery,
            "register_renamed": changed,
            "key_less_again": key_less,
            "gone": gone,
        }

        seconds, summary, before = timed(conn)
        out["incremental"] = {"seconds": round(seconds, 1), "load": before, **summary.to_dict()}
        incremental = links(conn)
        conn.rollback()

        seconds, summary, before = timed(conn, force=True)
        out["full"] = {"seconds": round(seconds, 1), "load": before, **summary.to_dict()}
        full = links(conn)
        conn.rollback()
        out["incremental_vs_full"] = compare(incremental, full, delivery)
        del incremental, full

        seconds, summary, before = timed(conn)
        conn.commit()
        out["incremental_committed"] = {"seconds": round(seconds, 1), "load": before}
        seconds, summary, before = timed(conn)
        conn.rollback()
        out["nothing_changed"] = {
            "seconds": round(seconds, 1),
            "load": before,
            "kept": summary.kept,
        }
    if as_json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return
    for name, figures in out.items():
        print(f"{name}: {figures}")


if __name__ == "__main__":
    app()
