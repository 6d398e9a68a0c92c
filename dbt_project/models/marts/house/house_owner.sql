-- Owners of each house: persons or legal entities, with the form of ownership.
-- Incremental by staged row: only the rows naming a person (or entity) whose inputs changed
-- are read again (macros/incremental_relationships.sql).
-- depends_on: {{ ref('int_person_input_fingerprints') }}
-- depends_on: {{ ref('int_entity_input_fingerprints') }}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ prepare_relationship_rows('bdc_djxx', ['owner_master_id'], ['owner_master_id']) }}",
    post_hook="{{ record_relationship_rows(['owner_master_id']) }}"
) }}

with registrations as (
    select * from {{ ref('stg_bdc_djxx__property_registrations') }} {{ only_affected_rows() }}
),
persons as (select * from {{ ref('int_person_mentions') }} where extract = 'bdc_djxx'),
entities as (select * from {{ ref('int_entity_mentions') }} where extract = 'bdc_djxx'),
person_links as (select * from {{ source('link', 'person_link') }}),
entity_links as (select * from {{ source('link', 'entity_link') }})

select
    r.unit_number::text as house_master_id,
    r.unit_number::text as unit_number,
    (case when el.master_id is not null then 'legal_entity' else 'person' end)::text
        as owner_subject,
    coalesce(el.master_id, pl.master_id)::text as owner_master_id,
    r.owner_name::text as owner_name,
    r.ownership::text as ownership,
    r.delivery_id::bigint as delivery_id,
    r.source_row::text as source_row
from registrations as r
left join persons as p on p.delivery_id = r.delivery_id and p.source_row = r.source_row
left join person_links as pl on pl.mention_id = p.mention_id
left join entities as e on e.delivery_id = r.delivery_id and e.source_row = r.source_row
left join entity_links as el on el.mention_id = e.mention_id
where r.unit_number is not null and coalesce(el.master_id, pl.master_id) is not null
