-- Marriage registrations (婚姻登记) between two persons, every event in order.
-- Incremental by staged row: only the rows naming a person (or entity) whose inputs changed
-- are read again (macros/incremental_relationships.sql).
-- depends_on: {{ ref('int_person_input_fingerprints') }}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ prepare_relationship_rows('mzj_hydj', ['husband_master_id', 'wife_master_id']) }}",
    post_hook="{{ record_relationship_rows() }}"
) }}

with husbands as (select * from {{ ref('int_person_mentions') }} where role = 'husband'),
wives as (select * from {{ ref('int_person_mentions') }} where role = 'wife'),
rows_ as (select * from {{ ref('stg_mzj_hydj__marriage_registrations') }} {{ only_affected_rows() }}),
-- `not materialized`: used twice; a materialized CTE would scan all 3M links instead of
-- reading the few needed through their primary key
links as not materialized (select * from {{ source('link', 'person_link') }})

select
    hl.master_id::text as husband_master_id,
    wl.master_id::text as wife_master_id,
    r.registration_type::text as registration_type,
    r.registration_date::date as registration_date,
    r.registration_office::text as registration_office,
    r.extract::text as extract,
    r.delivery_id::bigint as delivery_id,
    r.source_row::text as source_row
from rows_ as r
join husbands as h on h.delivery_id = r.delivery_id and h.source_row = r.source_row
join wives as w on w.delivery_id = r.delivery_id and w.source_row = r.source_row
join links as hl on hl.mention_id = h.mention_id
join links as wl on wl.mention_id = w.mention_id
