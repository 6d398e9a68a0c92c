-- Employment (参保单位): a person insured by an employer, per insurance type, from social security.
-- Incremental by staged row: only the rows naming a person (or entity) whose inputs changed
-- are read again (macros/incremental_relationships.sql).
-- depends_on: {{ ref('int_person_input_fingerprints') }}
-- depends_on: {{ ref('int_entity_input_fingerprints') }}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ prepare_relationship_rows('rsj_cbxx', ['person_master_id'], ['entity_master_id']) }}",
    post_hook="{{ record_relationship_rows(['entity_master_id']) }}"
) }}

with insured as (select * from {{ ref('int_person_mentions') }} where role = 'insured'),
employers as (select * from {{ ref('int_entity_mentions') }} where role = 'employer'),
rows_ as (select * from {{ ref('stg_rsj_cbxx__insured_persons') }} {{ only_affected_rows() }}),
person_links as (select * from {{ source('link', 'person_link') }}),
entity_links as (select * from {{ source('link', 'entity_link') }})

select
    pl.master_id::text as person_master_id,
    el.master_id::text as entity_master_id,
    r.insurance_type::text as insurance_type,
    r.insurance_status::text as insurance_status,
    (r.insurance_status = '参保缴费')::boolean as paying,
    r.first_insured_date::date as first_insured_date,
    r.extract::text as extract,
    r.delivery_id::bigint as delivery_id,
    r.source_row::text as source_row
from rows_ as r
join insured as i on i.delivery_id = r.delivery_id and i.source_row = r.source_row
join person_links as pl on pl.mention_id = i.mention_id
left join employers as e on e.delivery_id = r.delivery_id and e.source_row = r.source_row
left join entity_links as el on el.mention_id = e.mention_id
