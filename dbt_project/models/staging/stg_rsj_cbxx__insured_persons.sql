-- 人社局 social-insurance enrolments: one row per insured person and insurance type.
with delivered as ({{ delivered_rows('rsj_cbxx') }})

select
    extract, department, delivery_id, file_name, received_at,
    source_row::text as source_row,
    {{ valid_or_null('citizen_id') }} as citizen_id,
    citizen_id as citizen_id_as_read,
    citizen_id_suggestion,
    name,
    name_phonetic_key,
    sex,
    birth_month,
    {{ valid_or_null('employer_credit_code') }} as employer_credit_code,
    employer_credit_code as employer_credit_code_as_read,
    case when {{ is_valid('employer_credit_code') }}
        then employer_credit_code_organization_code end as employer_organization_code,
    employer_name,
    employer_name_comparison_key,
    insurance_type,
    insurance_status,
    first_insured_date,
    {{ valid_or_null('mobile') }} as mobile,
    flags
from delivered
