-- 地理信息库: the standard-address backbone, owned by the address register (标准地址).
-- Written again only when the register delivered (macros/rewrite_when_changed.sql).
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ prepare_rewrite([staged_deliveries(['zrzyj_bzdz'])]) }}",
    post_hook="{{ record_rewrite() }}"
) }}
with addresses as (select * from {{ ref('stg_zrzyj_bzdz__standard_addresses') }})

select distinct on (std_address_code)
    std_address_code::text as master_id,
    std_address_code::text as std_address_code,
    county_code::text as county,
    street::text as street,
    community::text as community,
    grid_code::text as grid_code,
    road::text as road,
    house_number::text as house_number,
    building::text as building,
    unit::text as unit,
    room::text as room,
    (case when room is not null then 'dwelling' else 'building' end)::text as level,
    concat(
        street, community, road,
        house_number || '号', building || '栋', unit || '单元', room || '室'
    )::text as address_text,
    longitude::numeric as longitude,
    latitude::numeric as latitude,
    delivery_id::bigint as delivery_id,
    source_row::text as source_row
from addresses
where std_address_code is not null and {{ only_when_rewritten() }}
order by std_address_code, source_row
