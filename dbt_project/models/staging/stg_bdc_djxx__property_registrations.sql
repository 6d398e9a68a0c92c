-- 不动产登记中心 property registrations: one row per (registered unit, owner).
with delivered as ({{ delivered_rows('bdc_djxx') }})

select
    extract, department, delivery_id, file_name, received_at,
    source_row::text as source_row,
    unit_number,
    certificate_number,
    location,
    planned_use,
    floor_area,
    owner_name,
    owner_id_type,
    owner_id_number_party_type as owner_party_type,
    case when owner_id_number_party_type = 'person' and {{ is_valid('owner_id_number') }}
        then owner_id_number end as owner_citizen_id,
    case when owner_id_number_party_type = 'organization' and {{ is_valid('owner_id_number') }}
        then owner_id_number end as owner_credit_code,
    owner_id_number as owner_id_number_as_read,
    owner_id_number_suggestion,
    ownership,
    registered_at,
    flags
from delivered
