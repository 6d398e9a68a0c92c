"""City-side tables of what came back from the counties (上报): corrections, feedback, conflicts.

``distribute.correction`` is the ledger: one row per correction id, ever — the primary key is
what makes a sync exactly-once. The rest is derived from it in the same transaction.
"""

from __future__ import annotations

from hub.distribute.vocabulary import CorrectionAction, FeedbackStatus, Outcome, values

UPSTREAM_DDL = f"""
create schema if not exists distribute;

-- Every approved correction that reached the city, and what it became (outcome).
-- The build reads the 'candidate' rows as gridworker values (dbt source distribute.correction).
create table if not exists distribute.correction (
    correction_id text primary key,
    county        text not null,
    subject       text not null,
    record_id     text not null,
    action        text not null check (action in ({values(CorrectionAction)})),
    attribute     text,
    new_value     text,
    seen_value    text,
    base_version  bigint not null,
    city_version  bigint,
    gridworker    text not null,
    corrected_at  timestamptz not null,
    reviewer      text not null,
    reviewed_at   timestamptz not null,
    note          text,
    outcome       text not null check (outcome in ({values(Outcome)})),
    received_at   timestamptz not null default now()
);
create index if not exists correction_record on distribute.correction (subject, record_id);

-- 反哺: corrections of department-owned attributes, for the owning department to fix at source.
create table if not exists distribute.feedback (
    feedback_id        bigint generated always as identity primary key,
    correction_id      text not null unique references distribute.correction,
    department_extract text not null,
    subject            text not null,
    record_id          text not null,
    attribute          text not null,
    reported_value     text,
    hub_value          text,
    source_delivery_id bigint,
    source_row         text,
    status             text not null default 'open' check (status in ({values(FeedbackStatus)})),
    created_at         timestamptz not null default now(),
    closed_at          timestamptz,
    closed_by_delivery bigint
);
create index if not exists feedback_department on distribute.feedback (department_extract, status);

-- Corrections made on a version of the record that changed meanwhile: a steward decides.
create table if not exists distribute.correction_conflict (
    correction_id  text primary key references distribute.correction,
    county         text not null,
    subject        text not null,
    record_id      text not null,
    attribute      text,
    proposed_value text,
    seen_value     text,
    current_value  text,
    base_version   bigint not null,
    city_version   bigint,
    status         text not null default 'open' check (status in ('open', 'decided')),
    decided_by     text,
    decided_at     timestamptz,
    created_at     timestamptz not null default now()
);

-- When a gridworker last saw each record (any synced correction or confirmation counts).
create table if not exists distribute.verification (
    subject     text not null,
    record_id   text not null,
    verified_at timestamptz not null,
    gridworker  text not null,
    primary key (subject, record_id)
);
"""
