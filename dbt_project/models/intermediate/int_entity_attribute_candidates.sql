-- Every value any department gives for a legal-entity attribute, with its entity and rank.
-- Written again only when entity mentions or links changed (macros/rewrite_when_changed.sql).
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook="{{ prepare_rewrite([staged_deliveries(['scjgj_qydj', 'rsj_cbxx', 'bdc_djxx']), entity_links_fingerprint()]) }}",
    post_hook="{{ record_rewrite() }}"
) }}
with mentions as (select * from {{ ref('int_entity_mentions') }}),
links as (select * from {{ source('link', 'entity_link') }}),
authority as (select * from {{ ref('authority') }} where subject = 'legal_entity'),

values_ as (
    select
        l.master_id, m.mention_id, m.extract, m.delivery_id, m.file_name, m.source_row,
        m.role, m.observed_at, a.attribute, a.value
    from mentions as m
    join links as l using (mention_id)
    cross join lateral (values
        ('name', m.name),
        ('organization_code', m.organization_code),
        ('registration_number', m.registration_number),
        ('entity_type', m.entity_type),
        ('status', m.status),
        ('established_date', m.established_date::text),
        ('registered_address', m.address)
    ) as a (attribute, value)
    where a.value is not null
)

select v.*, authority.rank
from values_ as v
join authority using (attribute, extract)
where {{ only_when_rewritten() }}
