-- Every value any department gives for a person attribute, with the person it was linked to
-- and the rank of its department for that attribute (seed `authority`, 一数一源).
{{ config(indexes=[{'columns': ['master_id', 'attribute']}]) }}

with mentions as (select * from {{ ref('int_person_mentions') }}),
links as (select * from {{ source('link', 'person_link') }}),
authority as (select * from {{ ref('authority') }} where subject = 'person'),

values_ as (
    select
        l.master_id, m.mention_id, m.extract, m.delivery_id, m.file_name, m.source_row,
        m.role, m.observed_at, a.attribute, a.value
    from mentions as m
    join links as l using (mention_id)
    cross join lateral (values
        ('name', m.name),
        ('sex', m.sex),
        ('birth_date', m.birth_date::text),
        ('ethnicity', m.ethnicity),
        ('registration_county', m.registration_county),
        ('registration_address', m.registration_address),
        ('household_number', m.household_number),
        ('relation_to_head', m.relation_to_head),
        ('person_status', m.person_status),
        ('death_date', m.death_date::text),
        ('marital_status', m.marital_status),
        ('allowance_status', m.allowance_status),
        ('current_address_code', m.address_code),
        ('phone', m.phone)
    ) as a (attribute, value)
    where a.value is not null
)

select v.*, authority.rank
from values_ as v
join authority using (attribute, extract)
