-- 房屋库: one record per registered real-estate unit, owned by the real-estate registry.
-- Written again only when the registry's deliveries or the address match changed
-- (macros/rewrite_when_changed.sql).
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ prepare_rewrite([staged_deliveries(['bdc_djxx']), address_match_basis()]) }}",
    post_hook="{{ record_rewrite() }}"
) }}
with registrations as (select * from {{ ref('stg_bdc_djxx__property_registrations') }}),
addresses as (select * from {{ source('link', 'address_match') }}),

latest as (
    select distinct on (unit_number)
        unit_number, certificate_number, location, planned_use, floor_area, registered_at,
        delivery_id, source_row
    from registrations
    where unit_number is not null
    order by unit_number, registered_at desc nulls last, source_row
)

select
    latest.unit_number::text as master_id,
    latest.unit_number::text as unit_number,
    latest.certificate_number::text as certificate_number,
    latest.location::text as location,
    a.std_address_code::text as std_address_code,
    a.score::real as address_score,
    latest.planned_use::text as planned_use,
    (latest.planned_use = '住宅')::boolean as is_dwelling,
    latest.floor_area::numeric as floor_area,
    left(latest.unit_number, 6)::text as county,
    latest.registered_at::timestamp as registered_at,
    latest.delivery_id::bigint as delivery_id,
    latest.source_row::text as source_row
from latest
left join addresses as a on a.address_text = latest.location
where {{ only_when_rewritten() }}
