-- The surviving value of each legal-entity attribute (same rule as for persons).
{{ config(indexes=[{'columns': ['master_id']}]) }}

select distinct on (master_id, attribute)
    master_id, attribute, value, extract, delivery_id, file_name, source_row, role,
    observed_at, rank
from {{ ref('int_entity_attribute_candidates') }}
order by master_id, attribute, rank, observed_at desc nulls last, mention_id
