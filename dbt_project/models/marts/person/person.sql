-- 人口库: one golden record per person, each attribute from the department that owns it.
-- Incremental: only the persons whose inputs changed are computed again
-- (macros/incremental_survivorship.sql).
-- depends_on: {{ ref('int_person_input_fingerprints') }}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ prepare_person_rows('hub_person_basis') }}",
    post_hook="{{ record_person_rows('hub_person_basis') }}"
) }}

with golden as (select * from {{ ref('int_person_golden_attributes') }} {{ only_affected_persons() }}),
-- `not materialized`: used twice, a materialized CTE would hide the table's statistics from the
-- planner (and copy 3M links).
links as not materialized (
    select * from {{ source('link', 'person_link') }} {{ only_affected_persons() }}
),
mentions as (select * from {{ ref('int_person_mentions') }}),

ids as (
    -- The person's citizen ID: the valid key of the cluster (never two: linkage forbids it).
    select distinct on (l.master_id) l.master_id, m.citizen_id
    from links as l
    join mentions as m using (mention_id)
    where m.citizen_id is not null and l.method in ('valid_key', 'repaired_key')
    order by l.master_id, (m.extract = 'gaj_rkxx') desc, m.citizen_id
),

masters as (select distinct master_id from links),

pivoted as (
    select
        master_id,
        max(value) filter (where attribute = 'name') as name,
        max(value) filter (where attribute = 'sex') as sex,
        max(value) filter (where attribute = 'birth_date')::date as birth_date,
        max(value) filter (where attribute = 'ethnicity') as ethnicity,
        max(value) filter (where attribute = 'registration_county') as registration_county,
        max(value) filter (where attribute = 'registration_address') as registration_address,
        max(value) filter (where attribute = 'registration_address_code')
            as registration_address_code,
        max(value) filter (where attribute = 'household_number') as household_number,
        max(value) filter (where attribute = 'relation_to_head') as relation_to_head,
        max(value) filter (where attribute = 'person_status') as person_status,
        max(value) filter (where attribute = 'current_address_code') as current_address_code,
        max(value) filter (where attribute = 'phone') as phone,
        max(value) filter (where attribute = 'marital_status') as marital_status,
        max(value) filter (where attribute = 'death_date')::date as death_date,
        max(value) filter (where attribute = 'allowance_status') as allowance_status,
        max(delivery_id) as last_delivery_id
    from golden
    group by master_id
)

select
    masters.master_id::text as master_id,
    ids.citizen_id::text as citizen_id,
    p.name::text as name,
    coalesce(p.sex, case when ids.citizen_id is not null
        then (2 - substr(ids.citizen_id, 17, 1)::int % 2)::text end)::text as sex,
    coalesce(p.birth_date, to_date(substr(ids.citizen_id, 7, 8), 'YYYYMMDD'))::date as birth_date,
    p.ethnicity::text as ethnicity,
    p.registration_county::text as registration_county,
    p.registration_address::text as registration_address,
    p.registration_address_code::text as registration_address_code,
    p.household_number::text as household_number,
    p.relation_to_head::text as relation_to_head,
    p.person_status::text as person_status,
    p.current_address_code::text as current_address_code,
    p.phone::text as phone,
    p.marital_status::text as marital_status,
    (p.death_date is null and coalesce(p.person_status, '0') <> '1')::boolean as alive,
    p.death_date::date as death_date,
    p.allowance_status::text as allowance_status,
    array(
        select distinct c from unnest(array[
            p.registration_county, left(p.current_address_code, 6)
        ]) as c where c is not null order by c
    )::text[] as counties,
    p.last_delivery_id::bigint as last_delivery_id
from masters
left join pivoted as p using (master_id)
left join ids using (master_id)
