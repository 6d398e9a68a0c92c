-- 民政局 minimum-living-allowance (低保) recipients: one row per recipient.
with delivered as ({{ delivered_rows('mzj_dbdx') }})

select
    extract, department, delivery_id, file_name, received_at,
    source_row::text as source_row,
    {{ valid_or_null('citizen_id') }} as citizen_id,
    citizen_id as citizen_id_as_read,
    citizen_id_suggestion,
    name,
    name_phonetic_key,
    sex,
    family_address,
    allowance_status,
    monthly_amount,
    application_date,
    {{ valid_or_null('phone') }} as phone,
    {{ valid_or_null('head_citizen_id') }} as head_citizen_id,
    head_citizen_id as head_citizen_id_as_read,
    head_citizen_id_suggestion,
    flags
from delivered
