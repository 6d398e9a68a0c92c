-- Every mention of a legal entity in every staged row, in one shape: the input of entity
-- linkage (hub/linkage) and of survivorship. Roles: scjgj_qydj entity, rsj_cbxx employer,
-- bdc_djxx owner (an organization owning property).
-- Incremental, as the person mentions (macros/incremental_mentions.sql).
{%- set extracts = ['scjgj_qydj', 'rsj_cbxx', 'bdc_djxx'] %}
{{ config(
    materialized='incremental',
    tags=['mentions'],
    indexes=[{'columns': ['mention_id'], 'unique': true}, {'columns': ['credit_code']},
             {'columns': ['delivery_id', 'source_row']}],
    pre_hook="{{ prepare_mentions(" ~ extracts ~ ") }}"
) }}

with enterprises as ({{ unmentioned_rows(ref('stg_scjgj_qydj__enterprises')) }}),
insured as ({{ unmentioned_rows(ref('stg_rsj_cbxx__insured_persons')) }}),
property as ({{ unmentioned_rows(ref('stg_bdc_djxx__property_registrations')) }}),

mentions as (
    select
        extract, department, delivery_id, file_name, source_row, 'entity' as role,
        coalesce(approved_date::timestamp, received_at) as observed_at,
        credit_code, credit_code_raw as credit_code_as_read,
        organization_code, registration_number,
        name, name_comparison_key,
        entity_type, status, established_date, address,
        legal_rep_citizen_id
    from enterprises

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'employer',
        received_at,
        employer_credit_code, employer_credit_code_as_read,
        employer_organization_code, null,
        employer_name, employer_name_comparison_key,
        null, null, null, null,
        null
    from insured
    where coalesce(employer_credit_code_as_read, employer_name) is not null

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'owner',
        coalesce(registered_at, received_at),
        owner_credit_code, owner_id_number_as_read,
        substr(owner_credit_code, 9, 9), null,
        owner_name, null,
        null, null, null, location,
        null
    from property
    where owner_party_type = 'organization'
)

select
    extract || ':' || delivery_id || ':' || source_row || ':' || role as mention_id,
    mentions.*
from mentions
