-- 法人库: one golden record per legal entity, owned by market regulation.
with golden as (select * from {{ ref('int_entity_golden_attributes') }}),
links as not materialized (select * from {{ source('link', 'entity_link') }}),  -- used twice
mentions as (select * from {{ ref('int_entity_mentions') }}),
reps as (select * from {{ ref('legal_representative') }}),
addresses as (select * from {{ source('link', 'address_match') }}),

codes as (
    select distinct on (l.master_id) l.master_id, m.credit_code
    from links as l
    join mentions as m using (mention_id)
    where m.credit_code is not null and l.method = 'valid_key'
    order by l.master_id, (m.extract = 'scjgj_qydj') desc, m.credit_code
),

masters as (select distinct master_id from links),

pivoted as (
    select
        master_id,
        max(value) filter (where attribute = 'name') as name,
        max(value) filter (where attribute = 'organization_code') as organization_code,
        max(value) filter (where attribute = 'registration_number') as registration_number,
        max(value) filter (where attribute = 'entity_type') as entity_type,
        max(value) filter (where attribute = 'status') as status,
        max(value) filter (where attribute = 'established_date')::date as established_date,
        max(value) filter (where attribute = 'registered_address') as registered_address,
        max(delivery_id) as last_delivery_id
    from golden
    group by master_id
)

select
    masters.master_id::text as master_id,
    codes.credit_code::text as credit_code,
    coalesce(p.organization_code, substr(codes.credit_code, 9, 9))::text as organization_code,
    p.registration_number::text as registration_number,
    p.name::text as name,
    p.entity_type::text as entity_type,
    reps.person_master_id::text as legal_rep_master_id,
    p.registered_address::text as registered_address,
    a.std_address_code::text as registered_address_code,
    p.status::text as status,
    (p.status in ('存续', '在业'))::boolean as active,
    p.established_date::date as established_date,
    array(select distinct c from unnest(array[substr(codes.credit_code, 3, 6)]) as c
        where c like '42%' order by c)::text[] as counties,
    p.last_delivery_id::bigint as last_delivery_id
from masters
left join pivoted as p using (master_id)
left join codes using (master_id)
left join reps on reps.entity_master_id = masters.master_id
left join addresses as a on a.address_text = p.registered_address
