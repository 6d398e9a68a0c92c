-- Employment (参保单位): a person insured by an employer, per insurance type, from social security.
with insured as (select * from {{ ref('int_person_mentions') }} where role = 'insured'),
employers as (select * from {{ ref('int_entity_mentions') }} where role = 'employer'),
rows_ as (select * from {{ ref('stg_rsj_cbxx__insured_persons') }}),
person_links as (select * from {{ source('link', 'person_link') }}),
entity_links as (select * from {{ source('link', 'entity_link') }})

select
    pl.master_id::text as person_master_id,
    el.master_id::text as entity_master_id,
    r.insurance_type::text as insurance_type,
    r.insurance_status::text as insurance_status,
    (r.insurance_status = '参保缴费')::boolean as paying,
    r.first_insured_date::date as first_insured_date,
    r.extract::text as extract,
    r.delivery_id::bigint as delivery_id,
    r.source_row::text as source_row
from rows_ as r
join insured as i on i.delivery_id = r.delivery_id and i.source_row = r.source_row
join person_links as pl on pl.mention_id = i.mention_id
left join employers as e on e.delivery_id = r.delivery_id and e.source_row = r.source_row
left join entity_links as el on el.mention_id = e.mention_id
