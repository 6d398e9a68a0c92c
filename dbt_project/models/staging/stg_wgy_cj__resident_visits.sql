-- 网格员 field visits: one row per resident recorded at an address on a visit.
with delivered as ({{ delivered_rows('wgy_cj') }})

select
    extract, department, delivery_id, file_name, received_at,
    source_row,
    grid_code,
    std_address_code,
    address_text,
    collector_id,
    collected_at,
    name,
    name_phonetic_key,
    {{ valid_or_null('citizen_id') }} as citizen_id,
    citizen_id as citizen_id_as_read,
    citizen_id_suggestion,
    {{ valid_or_null('phone') }} as phone,
    relation,
    residence_type,
    flags
from delivered
