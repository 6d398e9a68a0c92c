-- The cross-reference: one row per mention of a subject in a staged source row, with the
-- master id it was linked to, how (method) and how sure (score). Roles by extract:
-- gaj_rkxx person; scjgj_qydj entity, legal_rep; mzj_dbdx recipient, household_head;
-- mzj_hydj husband, wife; rsj_cbxx insured, employer; bdc_djxx house, owner;
-- wjw_csyxzm newborn, mother, father; wjw_swyxzm deceased; zrzyj_bzdz place; wgy_cj resident, place.
-- Incremental: the rows of the persons whose inputs changed, and the other parts when theirs
-- did, are written again (macros/incremental_xref.sql).
-- depends_on: {{ ref('int_person_input_fingerprints') }}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    indexes=[{'columns': ['master_id']}, {'columns': ['extract', 'source_row']}],
    pre_hook="{{ prepare_xref('hub_xref_basis') }}",
    post_hook="{{ record_xref('hub_xref_basis') }}"
) }}

with person_mentions as (select * from {{ ref('int_person_mentions') }}),
entity_mentions as (select * from {{ ref('int_entity_mentions') }}),
person_links as (
    select * from {{ source('link', 'person_link') }} {{ only_affected_persons() }}
),
entity_links as (select * from {{ source('link', 'entity_link') }}),
registrations as (select * from {{ ref('stg_bdc_djxx__property_registrations') }}),
addresses as (select * from {{ ref('stg_zrzyj_bzdz__standard_addresses') }}),
visits as (select * from {{ ref('stg_wgy_cj__resident_visits') }}),
places as (select * from {{ ref('place') }}),

xref as (
    select 'person' as subject, l.master_id, m.extract, m.delivery_id, m.file_name,
        m.source_row, m.role, l.method, l.score
    from person_mentions as m join person_links as l using (mention_id)

    union all
    select 'legal_entity', l.master_id, m.extract, m.delivery_id, m.file_name,
        m.source_row, m.role, l.method, l.score
    from entity_mentions as m join entity_links as l using (mention_id)
    where {{ when_xref_part_changed('legal_entity') }}

    union all
    select 'house', unit_number, extract, delivery_id, file_name, source_row, 'house',
        'valid_key', 1.0
    from registrations where unit_number is not null and {{ when_xref_part_changed('house') }}

    union all
    select 'place', std_address_code, extract, delivery_id, file_name, source_row, 'place',
        'valid_key', 1.0
    from addresses
    where std_address_code is not null and {{ when_xref_part_changed('register_place') }}

    union all
    -- A gridworker's address code the address register does not know stays unlinked.
    select 'place', p.master_id, v.extract, v.delivery_id, v.file_name, v.source_row, 'place',
        case when p.master_id is not null then 'valid_key' else 'unlinked' end,
        case when p.master_id is not null then 1.0 else 0.0 end
    from visits as v left join places as p on p.std_address_code = v.std_address_code
    where {{ when_xref_part_changed('visit_place') }}
)

select
    subject::text as subject,
    master_id::text as master_id,
    extract::text as extract,
    delivery_id::bigint as delivery_id,
    file_name::text as file_name,
    source_row::text as source_row,
    role::text as role,
    method::text as method,
    score::real as score
from xref
