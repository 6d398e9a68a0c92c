"""Sync upstream (上报): approved corrections reach the city exactly once, and become what they mean.

Per batch: the corrections are copied into the city and entered in ``distribute.correction``
(primary key = correction id) together with everything they lead to — a gridworker value for
the next build, feedback to the owning department, a conflict for a steward, the verification
date — in one city transaction. Only then are they marked synced in the county. A crash before
the city commit leaves nothing at the city; a crash after it leaves them unmarked in the county,
and the next run finds them already landed (``on conflict do nothing``): nothing lost, nothing
twice.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import psycopg

from hub.distribute.shard import SHARD_TABLES, ensure_city_tables
from hub.distribute.substore import connect_substore, substore_conninfo
from hub.distribute.vocabulary import CORRECTION_EXTRACT, GRIDWORKER_EXTRACT, Outcome
from hub.settings import HubSettings

AUTHORITY_SEED = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "authority.csv"
# A flag implies an attribute: a death is the health commission's to record.
FLAG_ATTRIBUTE = {"deceased": "death_date"}
CORRECTION_COLUMNS = (
    "correction_id, subject, record_id, action, attribute, new_value, seen_value, "
    "base_version, gridworker, corrected_at, reviewer, reviewed_at, note"
)


@dataclass
class SyncReport:
    county: str
    landed: int = 0
    already_landed: int = 0
    batches: int = 0
    outcomes: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {
            "county": self.county,
            "landed": self.landed,
            "already_landed": self.already_landed,
            "batches": self.batches,
            "outcomes": dict(self.outcomes),
            "seconds": round(self.seconds, 3),
        }


@lru_cache(maxsize=1)
def attribute_owners() -> dict[tuple[str, str], str]:
    """(subject, attribute) → the owning extract (rank 1 in the seed authority, 一数一源)."""
    with AUTHORITY_SEED.open(encoding="utf-8") as handle:
        return {
            (r["subject"], r["attribute"]): r["extract"]
            for r in csv.DictReader(handle)
            if r["rank"].strip() == "1" and r["extract"] != CORRECTION_EXTRACT
        }


def _stage_batch(city: psycopg.Connection, rows: list[tuple]) -> None:
    city.execute("drop table if exists incoming_correction, correction_now, attribute_owner")
    city.execute(
        "create temp table incoming_correction (correction_id text primary key, subject text, "
        "record_id text, action text, attribute text, new_value text, seen_value text, "
        "base_version bigint, gridworker text, corrected_at timestamptz, reviewer text, "
        "reviewed_at timestamptz, note text)"
    )
    with city.cursor().copy(f"copy incoming_correction ({CORRECTION_COLUMNS}) from stdin") as cp:
        for row in rows:
            cp.write_row(row)
    city.execute(
        "create temp table attribute_owner (subject text, attribute text, extract text, "
        "primary key (subject, attribute))"
    )
    with city.cursor().copy("copy attribute_owner from stdin") as cp:
        for (subject, attribute), extract in attribute_owners().items():
            cp.write_row((subject, attribute, extract))
    # The record as the city holds it now: its version and the corrected attribute's value.
    city.execute(
        "create temp table correction_now (correction_id text primary key, city_version bigint, "
        "current_value text)"
    )
    for table in SHARD_TABLES:
        city.execute(
            f"""
            insert into correction_now
            select i.correction_id, v.version, to_jsonb(t) ->> i.attribute
            from incoming_correction as i
            join hub.{table.library_table} as t on {table.record_id} = i.record_id
            left join distribute.record_version as v
                on v.subject = i.subject and v.record_id = i.record_id
            where i.subject = %s
            on conflict do nothing
            """,
            [table.subject],
        )


_LAND = f"""
with landed as (
    insert into distribute.correction (
        correction_id, county, subject, record_id, action, attribute, new_value, seen_value,
        base_version, city_version, gridworker, corrected_at, reviewer, reviewed_at, note, outcome
    )
    select i.correction_id, %(county)s, i.subject, i.record_id, i.action, i.attribute,
        i.new_value, i.seen_value, i.base_version, n.city_version, i.gridworker,
        i.corrected_at, i.reviewer, i.reviewed_at, i.note,
        case
            when i.action = 'confirm' then '{Outcome.VERIFIED}'
            when i.action = 'correct' and (
                n.correction_id is null
                or (n.city_version is distinct from i.base_version
                    and n.current_value is distinct from i.seen_value)
            ) then '{Outcome.CONFLICT}'
            when i.action in ('moved_away', 'unknown_at_address') then '{Outcome.FLAGGED}'
            when i.action = 'correct' and o.extract = '{GRIDWORKER_EXTRACT}'
                then '{Outcome.CANDIDATE}'
            when o.extract is not null then '{Outcome.FEEDBACK}'
            else '{Outcome.FLAGGED}'
        end
    from incoming_correction as i
    left join correction_now as n using (correction_id)
    left join attribute_owner as o
        on o.subject = i.subject
       and o.attribute = coalesce(i.attribute, %(flag_attribute)s::jsonb ->> i.action)
    order by i.correction_id
    on conflict (correction_id) do nothing
    returning *
),
feedback as (
    insert into distribute.feedback (
        correction_id, department_extract, subject, record_id, attribute, reported_value,
        hub_value, source_delivery_id, source_row
    )
    select l.correction_id, o.extract, l.subject, l.record_id, o.attribute, l.new_value,
        n.current_value, pa.delivery_id, pa.source_row
    from landed as l
    join attribute_owner as o
        on o.subject = l.subject
       and o.attribute = coalesce(l.attribute, %(flag_attribute)s::jsonb ->> l.action)
    left join correction_now as n using (correction_id)
    left join hub.person_attribute as pa
        on l.subject = 'person' and pa.master_id = l.record_id and pa.attribute = o.attribute
    where l.outcome = '{Outcome.FEEDBACK}'
    returning 1
),
conflicts as (
    insert into distribute.correction_conflict (
        correction_id, county, subject, record_id, attribute, proposed_value, seen_value,
        current_value, base_version, city_version
    )
    select l.correction_id, l.county, l.subject, l.record_id, l.attribute, l.new_value,
        l.seen_value, n.current_value, l.base_version, l.city_version
    from landed as l
    left join correction_now as n using (correction_id)
    where l.outcome = '{Outcome.CONFLICT}'
    returning 1
),
seen as (
    insert into distribute.verification (subject, record_id, verified_at, gridworker)
    select distinct on (subject, record_id) subject, record_id, corrected_at, gridworker
    from landed
    order by subject, record_id, corrected_at desc
    on conflict (subject, record_id) do update
        set verified_at = excluded.verified_at, gridworker = excluded.gridworker
        where distribute.verification.verified_at < excluded.verified_at
    returning 1
)
select outcome, count(*) from landed group by outcome
"""


def sync_county(
    settings: HubSettings,
    city_conninfo: str,
    county: str,
    *,
    batch_size: int = 1000,
    on_batch_landed: Callable[[int], None] | None = None,
) -> SyncReport:
    """Bring the county's approved, not yet synced corrections to the city, batch by batch.

    ``on_batch_landed`` runs after the city committed a batch and before the county marks it
    synced — the window a crash test aims at.
    """
    import json

    clock = time.perf_counter()
    report = SyncReport(county)
    with (
        psycopg.connect(city_conninfo) as city,
        connect_substore(substore_conninfo(settings, county)) as sub,
    ):
        ensure_city_tables(city)
        city.commit()
        while True:
            rows = sub.execute(
                f"select {CORRECTION_COLUMNS} from county.correction "
                "where review_status = 'approved' and synced_at is null "
                "order by correction_id limit %s",
                [batch_size],
            ).fetchall()
            sub.commit()
            if not rows:
                break
            _stage_batch(city, rows)
            outcomes = city.execute(
                _LAND, {"county": county, "flag_attribute": json.dumps(FLAG_ATTRIBUTE)}
            ).fetchall()
            city.commit()
            landed = sum(n for _, n in outcomes)
            report.landed += landed
            report.already_landed += len(rows) - landed
            report.outcomes.update(dict(outcomes))
            report.batches += 1
            if on_batch_landed is not None:
                on_batch_landed(report.batches)
            sub.execute(
                "update county.correction set synced_at = now() where correction_id = any(%s)",
                [[r[0] for r in rows]],
            )
            sub.commit()
    report.seconds = time.perf_counter() - clock
    return report


def corrections_waiting(settings: HubSettings, county: str) -> tuple[int, str | None]:
    """(count, last id) of approved corrections not yet at the city; (0, None) when offline."""
    try:
        with connect_substore(substore_conninfo(settings, county)) as sub:
            if not sub.execute("select to_regclass('county.correction')").fetchone()[0]:
                return 0, None
            return sub.execute(
                "select count(*), max(correction_id) from county.correction "
                "where review_status = 'approved' and synced_at is null"
            ).fetchone()
    except psycopg.OperationalError:
        return 0, None
