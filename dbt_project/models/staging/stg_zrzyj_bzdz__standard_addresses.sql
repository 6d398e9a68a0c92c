-- 自然资源和规划局 standard address register (标准地址): one row per building or dwelling.
with delivered as ({{ delivered_rows('zrzyj_bzdz') }})

select
    extract, department, delivery_id, file_name, received_at,
    source_row::text as source_row,
    std_address_code,
    county_code,
    street,
    community,
    grid_code,
    road,
    house_number,
    building,
    unit,
    room,
    longitude,
    latitude,
    flags
from delivered
