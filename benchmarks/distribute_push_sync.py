"""Benchmark: push all 13 county shards, an incremental push after 1% change, and a sync.

    HUB_HOME=/tmp/dhome HUB_PG_PORT=54377 HUB_DATABASE_URL=postgresql://hub@127.0.0.1:54377/hub \\
        .venv/bin/python -m benchmarks.distribute_push_sync --persons 100000 --corrections 10000

Needs a built demo city in HUB_DATABASE_URL (any size): it is copied to a fresh database
(``create database … template``) and its libraries are scaled to ``--persons`` by repeating
its persons (and their households, attributes, conflicts) under new master ids, so row widths
and the county mix are the demo's. Then: a full push to all 13 sub-stores, a second push after
1% of persons changed phone, and ``--corrections`` approved gridworker corrections synced.
"""

from __future__ import annotations

import argparse
import time
import uuid

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from hub.database.connection import database_url, to_libpq
from hub.distribute.push import push_county
from hub.distribute.shard import refresh_record_versions
from hub.distribute.substore import city_counties, substore_conninfo
from hub.distribute.sync import sync_county
from hub.settings import get_settings

SCALE_SQL = """
create temp table template_person as
    select row_number() over (order by master_id) - 1 as n, * from hub.person;
create temp table copies as
    select g as copy_no, t.master_id as template_id,
        'Q' || lpad(g::text, 10, '0') as master_id
    from generate_series(1, %(persons)s) as g
    join template_person as t on t.n = g %% (select count(*) from template_person);
create index on copies (template_id);
analyze copies;
insert into hub.person
    select (jsonb_populate_record(null::hub.person, to_jsonb(p) || jsonb_build_object(
        'master_id', c.master_id,
        'citizen_id', case when p.citizen_id is not null
            then left(p.citizen_id, 6) || lpad(c.copy_no::text, 11, '0') || 'X' end,
        'household_number', p.household_number || '-' || c.copy_no))).*
    from copies as c join hub.person as p on p.master_id = c.template_id;
insert into hub.household_membership
    select (jsonb_populate_record(null::hub.household_membership, to_jsonb(h)
        || jsonb_build_object('person_master_id', c.master_id,
            'household_number', h.household_number || '-' || c.copy_no))).*
    from copies as c join hub.household_membership as h on h.person_master_id = c.template_id;
insert into hub.person_attribute
    select (jsonb_populate_record(null::hub.person_attribute, to_jsonb(a)
        || jsonb_build_object('master_id', c.master_id))).*
    from copies as c join hub.person_attribute as a on a.master_id = c.template_id;
insert into hub.conflict
    select (jsonb_populate_record(null::hub.conflict, to_jsonb(k)
        || jsonb_build_object('master_id', c.master_id))).*
    from copies as c join hub.conflict as k on k.master_id = c.template_id;
analyze;
"""


def _city_copy(source: str, persons: int) -> str:
    params = conninfo_to_dict(source)
    name = f"bench_dist_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(make_conninfo(**{**params, "dbname": "postgres"}), autocommit=True) as c:
        c.execute(f'create database "{name}" template "{params["dbname"]}"')
    url = f"postgresql://{params['user']}@{params['host']}:{params['port']}/{name}"
    with psycopg.connect(url) as conn:
        conn.execute("drop schema if exists distribute cascade")
        (have,) = conn.execute("select count(*) from hub.person").fetchone()
        if have >= persons:  # a city already that big (e.g. a built 1,000,000-person city)
            return url
        for statement in SCALE_SQL.split(";"):
            if statement.strip():
                conn.execute(statement, {"persons": persons})
    return url


def _push_all(settings, url: str) -> tuple[float, int, int]:
    clock = time.perf_counter()
    with psycopg.connect(url) as conn:
        refresh_record_versions(conn)
    moved = tasks = 0
    for county in sorted(city_counties()):
        report = push_county(settings, url, county)
        moved, tasks = moved + report.records_moved, tasks + report.tasks_opened
    return time.perf_counter() - clock, moved, tasks


def _plant_corrections(settings, url: str, total: int) -> None:
    """Approved corrections spread over the counties: 70% phone, 20% name, 10% confirm."""
    counties = sorted(city_counties())
    for i, county in enumerate(counties):
        share = total // len(counties) + (1 if i < total % len(counties) else 0)
        with psycopg.connect(substore_conninfo(settings, county)) as sub:
            sub.execute(
                """
                insert into county.correction (correction_id, subject, record_id, action,
                    attribute, new_value, seen_value, base_version, gridworker, review_status,
                    reviewer, reviewed_at)
                select %(county)s || '-bench-' || n, 'person', p.record_id,
                    case when n %% 10 = 0 then 'confirm' else 'correct' end,
                    case when n %% 10 = 0 then null when n %% 10 < 3 then 'name' else 'phone' end,
                    case when n %% 10 = 0 then null when n %% 10 < 3 then p.name || '改'
                         else '139' || lpad(n::text, 8, '0') end,
                    case when n %% 10 = 0 then null when n %% 10 < 3 then p.name else p.phone end,
                    p.record_version, 'bench-w', 'approved', 'bench-r', now()
                from (select row_number() over (order by record_id) as n, * from county.person)
                    as p
                where n <= %(share)s
                """,
                {"county": county, "share": share},
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--corrections", type=int, default=10_000)
    args = parser.parse_args()
    settings = get_settings()
    source = to_libpq(database_url(settings))

    clock = time.perf_counter()
    url = _city_copy(source, args.persons)
    print(f"scaled city: {time.perf_counter() - clock:.1f} s")
    settings = settings.model_copy(update={"database_url": url})
    persons = psycopg.connect(url).execute("select count(*) from hub.person").fetchone()[0]

    seconds, moved, tasks = _push_all(settings, url)
    print(
        f"full push, 13 counties, {persons:,} persons: {seconds:.1f} s, "
        f"{moved:,} records, {tasks:,} tasks"
    )
    seconds, moved, _ = _push_all(settings, url)
    print(f"repeat push (nothing changed): {seconds:.1f} s, {moved:,} records")
    with psycopg.connect(url) as conn:
        conn.execute("update hub.person set phone = '13800000000' where random() < 0.01")
    seconds, moved, _ = _push_all(settings, url)
    print(f"incremental push after 1% of persons changed: {seconds:.1f} s, {moved:,} records")

    _plant_corrections(settings, url, args.corrections)
    clock = time.perf_counter()
    landed = 0
    for county in sorted(city_counties()):
        landed += sync_county(settings, url, county).landed
    print(f"sync of {landed:,} corrections: {time.perf_counter() - clock:.1f} s")


if __name__ == "__main__":
    main()
