-- Every mention of a person in every staged row, in one shape: the input of person linkage
-- (hub/linkage) and of survivorship. One row per (staged row, role); `role` is the public
-- vocabulary of hub.xref. Attribute columns a department does not deliver are null.
-- Incremental (macros/incremental_mentions.sql): a build adds the mentions of new deliveries
-- and forgets those of rows a later snapshot removed.
{%- set extracts = ['gaj_rkxx', 'scjgj_qydj', 'mzj_dbdx', 'mzj_hydj', 'rsj_cbxx', 'bdc_djxx',
                    'wjw_csyxzm', 'wjw_swyxzm', 'wgy_cj'] %}
{{ config(
    materialized='incremental',
    tags=['mentions'],
    indexes=[{'columns': ['mention_id'], 'unique': true}, {'columns': ['citizen_id']},
             {'columns': ['delivery_id', 'source_row']}],
    pre_hook="{{ prepare_mentions(" ~ extracts ~ ") }}"
) }}

with police as ({{ unmentioned_rows(ref('stg_gaj_rkxx__persons')) }}),
enterprises as ({{ unmentioned_rows(ref('stg_scjgj_qydj__enterprises')) }}),
allowance as ({{ unmentioned_rows(ref('stg_mzj_dbdx__allowance_recipients')) }}),
marriages as ({{ unmentioned_rows(ref('stg_mzj_hydj__marriage_registrations')) }}),
insured as ({{ unmentioned_rows(ref('stg_rsj_cbxx__insured_persons')) }}),
property as ({{ unmentioned_rows(ref('stg_bdc_djxx__property_registrations')) }}),
births as ({{ unmentioned_rows(ref('stg_wjw_csyxzm__birth_certificates')) }}),
deaths as ({{ unmentioned_rows(ref('stg_wjw_swyxzm__death_certificates')) }}),
visits as ({{ unmentioned_rows(ref('stg_wgy_cj__resident_visits')) }}),

mentions as (
    select
        extract, department, delivery_id, file_name, source_row, 'person' as role,
        coalesce(updated_at, received_at) as observed_at,
        citizen_id, citizen_id as citizen_id_as_read, null::text as citizen_id_suggestion,
        name, name_phonetic_key, sex, birth_date, null::date as birth_month,
        ethnicity, registration_county, registration_address, household_number,
        relation_to_head, person_status,
        null::text as phone, registration_address as address_text, null::text as address_code,
        null::date as death_date, null::text as marital_status, null::text as allowance_status,
        null::text as mother_citizen_id
    from police

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'legal_rep',
        received_at,
        legal_rep_citizen_id, legal_rep_id_number_as_read, legal_rep_id_number_suggestion,
        legal_rep_name, legal_rep_name_phonetic_key, null, null, null,
        null, null, null, null, null, null,
        null, null, null,
        null, null, null,
        null
    from enterprises
    where coalesce(legal_rep_id_number_as_read, legal_rep_name) is not null

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'recipient',
        coalesce(application_date::timestamp, received_at),
        citizen_id, citizen_id_as_read, citizen_id_suggestion,
        name, name_phonetic_key, sex, null, null,
        null, null, null, null, null, null,
        phone, family_address, null,
        null, null, allowance_status,
        null
    from allowance

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'household_head',
        received_at,
        head_citizen_id, head_citizen_id_as_read, head_citizen_id_suggestion,
        null, null, null, null, null,
        null, null, null, null, null, null,
        null, family_address, null,
        null, null, null,
        null
    from allowance
    where head_citizen_id_as_read is not null
      and head_citizen_id_as_read is distinct from citizen_id_as_read

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'husband',
        coalesce(registration_date::timestamp, received_at),
        husband_citizen_id, husband_citizen_id_as_read, husband_citizen_id_suggestion,
        husband_name, husband_name_phonetic_key, '1', null, null,
        null, null, null, null, null, null,
        null, null, null,
        null, case registration_type when '结婚' then '已婚' when '离婚' then '离婚' end, null,
        null
    from marriages

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'wife',
        coalesce(registration_date::timestamp, received_at),
        wife_citizen_id, wife_citizen_id_as_read, wife_citizen_id_suggestion,
        wife_name, wife_name_phonetic_key, '2', null, null,
        null, null, null, null, null, null,
        null, null, null,
        null, case registration_type when '结婚' then '已婚' when '离婚' then '离婚' end, null,
        null
    from marriages

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'insured',
        received_at,
        citizen_id, citizen_id_as_read, citizen_id_suggestion,
        name, name_phonetic_key, sex, null, birth_month,
        null, null, null, null, null, null,
        mobile, null, null,
        null, null, null,
        null
    from insured

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'owner',
        coalesce(registered_at, received_at),
        owner_citizen_id, owner_id_number_as_read, owner_id_number_suggestion,
        owner_name, null, null, null, null,
        null, null, null, null, null, null,
        null, location, null,
        null, null, null,
        null
    from property
    where owner_party_type is distinct from 'organization'

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'newborn',
        coalesce(issued_date::timestamp, received_at),
        null, null, null,
        newborn_name, newborn_name_phonetic_key, sex, birth_date, null,
        null, null, null, null, null, null,
        null, birth_place, null,
        null, null, null,
        mother_citizen_id
    from births

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'mother',
        coalesce(issued_date::timestamp, received_at),
        mother_citizen_id, mother_citizen_id_as_read, mother_citizen_id_suggestion,
        mother_name, mother_name_phonetic_key, '2', null, null,
        null, null, null, null, null, null,
        null, null, null,
        null, null, null,
        null
    from births
    where coalesce(mother_citizen_id_as_read, mother_name) is not null

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'father',
        coalesce(issued_date::timestamp, received_at),
        father_citizen_id, father_citizen_id_as_read, father_citizen_id_suggestion,
        father_name, father_name_phonetic_key, '1', null, null,
        null, null, null, null, null, null,
        null, null, null,
        null, null, null,
        null
    from births
    where coalesce(father_citizen_id_as_read, father_name) is not null

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'deceased',
        coalesce(death_date::timestamp, received_at),
        citizen_id, citizen_id_as_read, citizen_id_suggestion,
        name, name_phonetic_key, sex, null, null,
        null, null, null, null, null, null,
        null, null, null,
        death_date, null, null,
        null
    from deaths

    union all
    select
        extract, department, delivery_id, file_name, source_row, 'resident',
        coalesce(collected_at, received_at),
        citizen_id, citizen_id_as_read, citizen_id_suggestion,
        name, name_phonetic_key, null, null, null,
        null, null, null, null, null, null,
        phone, address_text, std_address_code,
        null, null, null,
        null
    from visits
    where coalesce(citizen_id_as_read, name) is not null
)

select
    extract || ':' || delivery_id || ':' || source_row || ':' || role as mention_id,
    mentions.*
from mentions
