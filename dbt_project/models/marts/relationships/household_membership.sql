-- Household membership (户): persons registered in a household, from the police register.
-- Incremental by staged row: only the rows naming a person (or entity) whose inputs changed
-- are read again (macros/incremental_relationships.sql).
-- depends_on: {{ ref('int_person_input_fingerprints') }}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ prepare_relationship_rows('gaj_rkxx', ['person_master_id']) }}",
    post_hook="{{ record_relationship_rows() }}"
) }}

with police as (
    select * from {{ ref('int_person_mentions') }} where extract = 'gaj_rkxx'
    {%- if is_incremental() %}
    and (delivery_id, source_row) in (select delivery_id, source_row from _affected_rows)
    {%- endif %}
),
links as (select * from {{ source('link', 'person_link') }})

select
    p.household_number::text as household_number,
    l.master_id::text as person_master_id,
    p.relation_to_head::text as relation_to_head,
    (p.relation_to_head in ('01', '02'))::boolean as is_head,
    p.registration_county::text as county,
    p.delivery_id::bigint as delivery_id,
    p.source_row::text as source_row
from police as p
join links as l using (mention_id)
where p.household_number is not null
