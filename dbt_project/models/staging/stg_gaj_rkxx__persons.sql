-- 公安局 population register: one row per registered person (household registration, 户籍).
with delivered as ({{ delivered_rows('gaj_rkxx') }})

select
    extract, department, delivery_id, file_name, received_at,
    source_row::text as source_row,
    citizen_id,
    name,
    name_phonetic_key,
    sex,
    ethnicity,
    birth_date,
    registration_county,
    registration_address,
    household_number,
    relation_to_head,
    person_status,
    updated_at,
    flags
from delivered
