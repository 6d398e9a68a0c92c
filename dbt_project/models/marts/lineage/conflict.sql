-- Conflicts (数据冲突): every subject attribute on which departments disagree — each
-- department's latest value, the value chosen and why (the authority rule that chose it).
-- Only attributes whose candidates hold two or more values can disagree; survivorship flagged
-- them (`disputed`), so the candidates are read only for those.
-- Incremental: the conflicts of the persons whose inputs changed are computed again
-- (macros/incremental_survivorship.sql), the legal entities' (a few thousand) every time.
-- depends_on: {{ ref('int_person_input_fingerprints') }}
-- Built after hub.person (which it does not read): dbt starts the models ready to run in order
-- of depth, so the history snapshot of the 12M golden values — the longest step of a first
-- build, which can only start once survivorship is done — starts then, beside hub.person,
-- instead of waiting for this one. (11 s of a first build at a million persons.)
-- depends_on: {{ ref('person') }}
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    pre_hook=[
        "{{ prepare_person_rows('hub_conflict_basis', rows=\"subject = 'person'\") }}",
        "{% if is_incremental() %}delete from {{ this }} where subject = 'legal_entity'{% endif %}",
    ],
    post_hook="{{ record_person_rows('hub_conflict_basis') }}"
) }}

with disputed_person as materialized (
    -- read once: the golden person values are 12M rows at a million persons, a few disputed
    select * from {{ ref('int_person_golden_attributes') }}
    {%- if is_incremental() %}
    where disputed and master_id in (select master_id from _affected_persons)
    {%- else %}
    where disputed
    {%- endif %}
),

person_candidates as (
    -- only the disputed persons' mentions are unpivoted (the candidates are a view)
    {{ person_attribute_candidates(masters='select master_id from disputed_person') }}
),

candidates as (
    select 'person' as subject, c.*
    from person_candidates as c
    join disputed_person as g using (master_id, attribute)
    union all
    select 'legal_entity', c.*
    from {{ ref('int_entity_attribute_candidates') }} as c
    join {{ ref('int_entity_golden_attributes') }} as g using (master_id, attribute)
    where g.disputed
),

golden as (
    select 'person' as subject, * from disputed_person
    union all
    select 'legal_entity', * from {{ ref('int_entity_golden_attributes') }} where disputed
),

latest_per_department as (
    select distinct on (subject, master_id, attribute, extract)
        subject, master_id, attribute, extract, value, rank
    from candidates
    order by subject, master_id, attribute, extract, observed_at desc nulls last, mention_id
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
