-- The surviving value of each legal-entity attribute (same rule as for persons, with the
-- same `disputed` flag).
{{ config(indexes=[{'columns': ['master_id']}]) }}

select distinct on (master_id, attribute)
    master_id, attribute, value, extract, delivery_id, file_name, source_row, role,
    observed_at, rank,
    min(value) over candidates <> max(value) over candidates as disputed
from {{ ref('int_entity_attribute_candidates') }}
window candidates as (
    partition by master_id, attribute
    order by rank, observed_at desc nulls last, mention_id
    rows between unbounded preceding and unbounded following
)
order by master_id, attribute, rank, observed_at desc nulls last, mention_id
