-- 卫健委 death certificates (死亡医学证明), delivered incrementally.
with delivered as ({{ delivered_rows('wjw_swyxzm') }})

select
    extract, department, delivery_id, file_name, received_at,
    source_row::text as source_row,
    certificate_number,
    name,
    name_phonetic_key,
    {{ valid_or_null('citizen_id') }} as citizen_id,
    citizen_id as citizen_id_as_read,
    citizen_id_suggestion,
    sex,
    death_date,
    death_place,
    flags
from delivered
