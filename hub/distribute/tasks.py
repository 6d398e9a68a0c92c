"""Verification tasks (核查任务): which records of a county need a gridworker's look, and whose grid.

Computed at the city for one county on each push and merged into the sub-store: a task is keyed
by what it is about, so a re-push opens nothing twice; a task whose reason went away at the city
is marked resolved; a task a gridworker answered stays done. The grid is the one of the
person's residence (hub.place.grid_code) when that residence lies in the county; otherwise the
task waits unassigned for the station.
"""

from __future__ import annotations

import psycopg

from hub.distribute.vocabulary import CORRECTION_EXTRACT, GRIDWORKER_EXTRACT, TaskKind

UNVERIFIED_AFTER = "1 year"

_PERSON_SHARD = f"""
shard_person as (
    select p.master_id, p.citizen_id, p.alive, p.current_address_code, g.grid_code,
        (select v.version from distribute.record_version as v
         where v.subject = 'person' and v.record_id = p.master_id) as version
    from hub.person as p
    left join hub.place as g
        on g.std_address_code = p.current_address_code
       and left(p.current_address_code, 6) = %(county)s
    where %(county)s = any(p.counties)
),
last_seen as (
    select a.master_id, max(a.observed_at) as seen_at
    from hub.person_attribute as a
    join shard_person using (master_id)
    where a.extract in ('{GRIDWORKER_EXTRACT}', '{CORRECTION_EXTRACT}')
    group by a.master_id
)"""

_TASKS = f"""
with {_PERSON_SHARD},
conflicts as (
    select 'conflict:person:' || c.master_id || ':' || c.attribute as task_key,
        '{TaskKind.CONFLICT}' as kind, 'person' as subject, c.master_id as record_id,
        s.grid_code, jsonb_build_object(
            'attribute', c.attribute, 'department_values', c.department_values,
            'chosen_value', c.chosen_value, 'chosen_extract', c.chosen_extract
        ) as detail, s.version
    from hub.conflict as c
    join shard_person as s using (master_id)
    where c.subject = 'person'
),
review_pairs as (
    select 'review_pair:' || q.review_id as task_key, '{TaskKind.REVIEW_PAIR}', 'person',
        r.master_id, s.grid_code, jsonb_build_object(
            'mention_id', q.mention_id, 'score', q.score, 'evidence', q.evidence
        ), s.version
    from link.review_queue as q
    join link.master_registry as r on r.subject = q.subject and r.anchor = q.candidate
    join shard_person as s on s.master_id = r.master_id
    where q.status = 'open' and q.subject = 'person'
),
unverified as (
    select 'unverified:person:' || s.master_id || ':'
            || coalesce(greatest(l.seen_at, v.verified_at)::date::text, 'never'),
        '{TaskKind.UNVERIFIED}', 'person', s.master_id, s.grid_code,
        jsonb_build_object('last_seen', greatest(l.seen_at, v.verified_at)), s.version
    from shard_person as s
    left join last_seen as l using (master_id)
    left join distribute.verification as v
        on v.subject = 'person' and v.record_id = s.master_id
    where s.alive
      and coalesce(greatest(l.seen_at, v.verified_at), '-infinity')
          < now() - interval '{UNVERIFIED_AFTER}'
),
newborns as (
    select 'newborn_without_id:person:' || s.master_id, '{TaskKind.NEWBORN_WITHOUT_ID}',
        'person', s.master_id, s.grid_code, '{{}}'::jsonb, s.version
    from shard_person as s
    where s.citizen_id is null and s.alive
      and exists (
        select 1 from hub.xref as x
        where x.subject = 'person' and x.master_id = s.master_id and x.extract = 'wjw_csyxzm'
      )
)
select * from conflicts
union all select * from review_pairs
union all select * from unverified
union all select * from newborns
"""

_ANOMALIES = f"""
with {_PERSON_SHARD}
select distinct on (a.kind, a.master_id)
    'anomaly:' || a.kind || ':' || a.master_id, '{TaskKind.ANOMALY}', 'person', a.master_id,
    s.grid_code, jsonb_build_object('anomaly', a.kind, 'details', a.details), s.version
from quality.anomaly as a
join shard_person as s using (master_id)
where a.subject = 'person' and a.run_at = (select max(run_at) from quality.anomaly)
order by a.kind, a.master_id
"""

TASK_COLUMNS = "task_key, kind, subject, record_id, grid_code, detail, record_version"


def stage_county_tasks(city: psycopg.Connection, county: str) -> int:
    """Temp table ``county_tasks`` on the city connection: every task the county should have."""
    city.execute("drop table if exists county_tasks")
    city.execute(
        "create temp table county_tasks (task_key text primary key, kind text, subject text, "
        "record_id text, grid_code text, detail jsonb, record_version bigint)"
    )
    city.execute(
        f"insert into county_tasks ({TASK_COLUMNS}) {_TASKS} on conflict do nothing",
        {"county": county},
    )
    if city.execute("select to_regclass('quality.anomaly')").fetchone()[0]:
        city.execute(
            f"insert into county_tasks ({TASK_COLUMNS}) {_ANOMALIES} on conflict do nothing",
            {"county": county},
        )
    return city.execute("select count(*) from county_tasks").fetchone()[0]


def merge_tasks(city: psycopg.Connection, sub: psycopg.Connection) -> tuple[int, int, int]:
    """Open new tasks, resolve those whose reason went away; (opened, resolved, open now)."""
    sub.execute("drop table if exists incoming_tasks")
    sub.execute(
        "create temp table incoming_tasks (task_key text primary key, kind text, subject text, "
        "record_id text, grid_code text, detail jsonb, record_version bigint)"
    )
    with (
        city.cursor().copy(
            f"copy (select {TASK_COLUMNS} from county_tasks) to stdout (format binary)"
        ) as reader,
        sub.cursor().copy(
            f"copy incoming_tasks ({TASK_COLUMNS}) from stdin (format binary)"
        ) as writer,
    ):
        for chunk in reader:
            writer.write(chunk)
    opened = sub.execute(
        f"insert into county.task ({TASK_COLUMNS}) select {TASK_COLUMNS} from incoming_tasks "
        "on conflict (task_key) do nothing"
    ).rowcount
    resolved = sub.execute(
        "update county.task as t set status = 'resolved', closed_at = now() "
        "where t.status = 'open' "
        "and not exists (select 1 from incoming_tasks as i where i.task_key = t.task_key)"
    ).rowcount
    open_now = sub.execute("select count(*) from county.task where status = 'open'").fetchone()[0]
    return opened, resolved, open_now
