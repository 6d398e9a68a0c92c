-- Every value any department gives for a person attribute, with the person it was linked to
-- and the rank of its department for that attribute (seed `authority`, 一数一源).
with mentions as (select * from {{ ref('int_person_mentions') }}),
links as (select * from {{ source('link', 'person_link') }}),
addresses as (select * from {{ source('link', 'address_match') }}),
authority as (select * from {{ ref('authority') }} where subject = 'person'),
-- Approved gridworker corrections of gridworker-owned attributes, synced from the counties
-- (hub/distribute, 上报): extract wgy_jz, ranked with the gridworkers' own visits.
corrections as (
    select * from {{ source('distribute', 'correction') }}
    where outcome = 'candidate' and subject = 'person'
),

values_ as (
    select
        l.master_id, m.mention_id, m.extract, m.delivery_id, m.file_name, m.source_row,
        m.role, m.observed_at, v.attribute, v.value
    from mentions as m
    join links as l using (mention_id)
    left join addresses as a on a.address_text = m.address_text
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
        ('registration_address_code',
            case when m.extract = 'gaj_rkxx' then a.std_address_code end),
        -- a gridworker's code as recorded, else where the department's address text points
        ('current_address_code', coalesce(m.address_code, a.std_address_code)),
        ('phone', m.phone)
    ) as v (attribute, value)
    where v.value is not null
    union all
    select
        c.record_id, 'wgy_jz:' || c.correction_id, 'wgy_jz', null::bigint, 'county:' || c.county,
        c.correction_id, 'resident', c.corrected_at, c.attribute, c.new_value
    from corrections as c
    where c.record_id in (select master_id from links)
)

select v.*, authority.rank
from values_ as v
join authority using (attribute, extract)
