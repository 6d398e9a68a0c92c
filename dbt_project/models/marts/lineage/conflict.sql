-- Conflicts (数据冲突): every subject attribute on which departments disagree — each
-- department's latest value, the value chosen and why (the authority rule that chose it).
with candidates as (
    select 'person' as subject, * from {{ ref('int_person_attribute_candidates') }}
    union all
    select 'legal_entity', * from {{ ref('int_entity_attribute_candidates') }}
),
golden as (
    select 'person' as subject, * from {{ ref('int_person_golden_attributes') }}
    union all
    select 'legal_entity', * from {{ ref('int_entity_golden_attributes') }}
),

-- Only attributes with more than one value anywhere can disagree (cheap hash aggregate first).
several_values as (
    select subject, master_id, attribute
    from candidates
    group by subject, master_id, attribute
    having min(value) <> max(value)
),

latest_per_department as (
    select distinct on (c.subject, c.master_id, c.attribute, c.extract)
        c.subject, c.master_id, c.attribute, c.extract, c.value, c.rank
    from candidates as c
    join several_values using (subject, master_id, attribute)
    order by c.subject, c.master_id, c.attribute, c.extract, c.observed_at desc nulls last,
        c.mention_id
),

disagreements as (
    select
        subject, master_id, attribute,
        jsonb_object_agg(extract, value order by rank) as department_values,
        count(distinct value) as distinct_values
    from latest_per_department
    group by subject, master_id, attribute
    having count(distinct value) > 1
)

select
    d.subject::text as subject,
    d.master_id::text as master_id,
    d.attribute::text as attribute,
    d.department_values::jsonb as department_values,
    g.value::text as chosen_value,
    g.extract::text as chosen_extract,
    ('authority rank ' || g.rank || ': ' || g.extract
        || case when g.rank = 1 then ' owns ' else ' is the best source with a value for ' end
        || d.attribute)::text as reason
from disagreements as d
join golden as g using (subject, master_id, attribute)
