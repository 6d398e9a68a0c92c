-- 民政局 marriage registrations (结婚 / 离婚), delivered incrementally.
with delivered as ({{ delivered_rows('mzj_hydj') }})

select
    extract, department, delivery_id, file_name, received_at,
    source_row::text as source_row,
    registration_date,
    registration_type,
    husband_name,
    husband_name_phonetic_key,
    {{ valid_or_null('husband_citizen_id') }} as husband_citizen_id,
    husband_citizen_id as husband_citizen_id_as_read,
    husband_citizen_id_suggestion,
    wife_name,
    wife_name_phonetic_key,
    {{ valid_or_null('wife_citizen_id') }} as wife_citizen_id,
    wife_citizen_id as wife_citizen_id_as_read,
    wife_citizen_id_suggestion,
    registration_office,
    flags
from delivered
