-- 房屋库: one record per registered real-estate unit, owned by the real-estate registry.
with registrations as (select * from {{ ref('stg_bdc_djxx__property_registrations') }})

select distinct on (unit_number)
    unit_number::text as master_id,
    unit_number::text as unit_number,
    certificate_number::text as certificate_number,
    location::text as location,
    planned_use::text as planned_use,
    (planned_use = '住宅')::boolean as is_dwelling,
    floor_area::numeric as floor_area,
    left(unit_number, 6)::text as county,
    registered_at::timestamp as registered_at,
    delivery_id::bigint as delivery_id,
    source_row::text as source_row
from registrations
where unit_number is not null
order by unit_number, registered_at desc nulls last, source_row
