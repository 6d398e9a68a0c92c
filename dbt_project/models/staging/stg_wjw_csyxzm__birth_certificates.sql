-- 卫健委 birth certificates (出生医学证明), delivered incrementally.
with delivered as ({{ delivered_rows('wjw_csyxzm') }})

select
    extract, department, delivery_id, file_name, received_at,
    source_row::text as source_row,
    certificate_number,
    newborn_name,
    newborn_name_phonetic_key,
    sex,
    birth_date,
    birth_place,
    mother_name,
    mother_name_phonetic_key,
    {{ valid_or_null('mother_citizen_id') }} as mother_citizen_id,
    mother_citizen_id as mother_citizen_id_as_read,
    mother_citizen_id_suggestion,
    father_name,
    father_name_phonetic_key,
    {{ valid_or_null('father_citizen_id') }} as father_citizen_id,
    father_citizen_id as father_citizen_id_as_read,
    father_citizen_id_suggestion,
    issued_date,
    flags
from delivered
