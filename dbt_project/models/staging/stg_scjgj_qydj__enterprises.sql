-- 市场监管局 enterprise register: one row per registered market entity.
with delivered as ({{ delivered_rows('scjgj_qydj') }})

select
    extract, department, delivery_id, file_name, received_at,
    source_row::text as source_row,
    {{ valid_or_null('credit_code') }} as credit_code,
    credit_code_raw,
    coalesce(
        case when {{ is_valid('credit_code') }} then credit_code_organization_code end,
        {{ valid_or_null('organization_code') }}
    ) as organization_code,
    {{ valid_or_null('registration_number') }} as registration_number,
    name,
    name_comparison_key,
    entity_type,
    legal_rep_name,
    legal_rep_name_phonetic_key,
    legal_rep_id_type,
    case when {{ is_valid('legal_rep_id_number') }} and legal_rep_id_type like '%身份证%'
        then legal_rep_id_number end as legal_rep_citizen_id,
    legal_rep_id_number as legal_rep_id_number_as_read,
    legal_rep_id_number_suggestion,
    registered_capital,
    established_date,
    address,
    registration_authority,
    status,
    approved_date,
    flags
from delivered
