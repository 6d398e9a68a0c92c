-- Legal representative (法定代表人): the person registered as representing each entity.
with entity_mentions as (select * from {{ ref('int_entity_mentions') }} where role = 'entity'),
person_mentions as (select * from {{ ref('int_person_mentions') }} where role = 'legal_rep'),
entity_links as (select * from {{ source('link', 'entity_link') }}),
person_links as (select * from {{ source('link', 'person_link') }})

select distinct on (el.master_id)
    el.master_id::text as entity_master_id,
    pl.master_id::text as person_master_id,
    pm.name::text as representative_name,
    e.extract::text as extract,
    e.delivery_id::bigint as delivery_id,
    e.source_row::text as source_row
from entity_mentions as e
join entity_links as el using (mention_id)
join person_mentions as pm
    on pm.delivery_id = e.delivery_id and pm.source_row = e.source_row
join person_links as pl on pl.mention_id = pm.mention_id
order by el.master_id, e.observed_at desc, e.mention_id
