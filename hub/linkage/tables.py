"""The link schema: links per mention, the master-id registry, the review queue.

``link.<subject>_link`` is derived: a full linkage run rewrites it, an incremental one replaces
the rows of the mentions that changed (``mention_hash`` tells which did). The registry and the
review decisions are kept (they are the memory that makes master ids stable and steward
decisions reusable).
"""

from __future__ import annotations

import hashlib

import psycopg

LINK_DDL = """
create schema if not exists link;

create table if not exists link.person_link (
    mention_id text primary key,
    master_id  text not null,
    method     text not null,
    score      real not null
);
create index if not exists person_link_master on link.person_link (master_id);

create table if not exists link.entity_link (
    mention_id text primary key,
    master_id  text not null,
    method     text not null,
    score      real not null
);
create index if not exists entity_link_master on link.entity_link (master_id);
-- A hash of what linkage read of each mention (hub/linkage/changes.py): a later run relinks
-- only mentions whose id or hash it does not find. Null (links from before): a full run.
alter table link.person_link add column if not exists mention_hash bigint;
alter table link.entity_link add column if not exists mention_hash bigint;

-- Standard address code per distinct address text; the texts that found none; and what they
-- were matched against (register deliveries, matcher version): a run with the same basis
-- matches only texts it has not seen (hub/linkage/addresses.py).
create table if not exists link.address_match (
    address_text     text primary key,
    std_address_code text not null,
    score            real not null,
    method           text not null,
    level            text
);
create table if not exists link.address_unmatched (
    address_text text primary key
);
create table if not exists link.address_match_basis (
    basis      text not null,
    matched_at timestamptz not null default now()
);

-- What each subject's links were computed from (hub/linkage/basis.py): a run that finds the
-- same basis keeps the links.
create table if not exists link.link_basis (
    subject   text primary key,
    basis     text not null,
    linked_at timestamptz not null default now()
);
-- what the run reported, reported again when the links are kept
alter table link.link_basis add column if not exists summary jsonb not null default '{}';
-- the matching engine's model as the last full run trained it (hub/linkage/fuzzy.py,
-- TrainedModel): incremental runs score their new mentions with it
alter table link.link_basis add column if not exists model jsonb;

-- Master-id registry: each anchor (a valid key, or the content key of a record without one)
-- keeps the master id it was first given, so re-runs and new deliveries renumber nobody.
create sequence if not exists link.person_master_seq;
create sequence if not exists link.entity_master_seq;
create table if not exists link.master_registry (
    subject    text not null,
    anchor     text not null,
    master_id  text not null,
    created_at timestamptz not null default now(),
    primary key (subject, anchor)
);
create index if not exists master_registry_master on link.master_registry (master_id);

-- Doubtful pairs for a steward (hub review). One row per pair; a decision is kept and reused
-- when the same pair comes back in a later run.
create table if not exists link.review_queue (
    review_id    bigint generated always as identity unique,
    subject      text not null,
    mention_key  text not null,  -- what the mention says, so a re-delivered row finds its decision
    mention_id   text not null,  -- the latest mention with that content
    candidate    text not null,  -- the anchor it might belong to (id:<citizen id> ...)
    score        real not null,
    evidence     jsonb not null default '{}',
    status       text not null default 'open'
                 check (status in ('open', 'accepted', 'rejected')),
    decided_by   text,
    decided_at   timestamptz,
    first_seen   timestamptz not null default now(),
    last_seen    timestamptz not null default now(),
    primary key (subject, mention_key, candidate)
);
"""


# marks a link schema that LINK_DDL, as it is now, has been run on (a comment on the schema)
SCHEMA_MARK = "hub link tables " + hashlib.sha256(LINK_DDL.encode()).hexdigest()[:16]


def ensure_link_tables(conn: psycopg.Connection) -> None:
    """Create (or bring up to date) the link schema — only when it is not already current.

    Why not simply run the DDL every time: ``alter table ... add column if not exists`` takes
    an exclusive lock on its table even when the column is there, held to the end of the
    caller's transaction. Linkage steps running side by side (hub/linkage/stage.py), or a
    steward deciding a review item while a link run is going, would then wait on each other,
    and could deadlock. Reading the schema's mark takes no lock.
    """
    (mark,) = conn.execute(
        "select obj_description(to_regnamespace('link'), 'pg_namespace')"
    ).fetchone()
    if mark == SCHEMA_MARK:
        return
    conn.execute(LINK_DDL)
    conn.execute(f"comment on schema link is '{SCHEMA_MARK}'")
