-- The surviving value of each person attribute: the best-ranked department that has a value;
-- within it the most recent record (observed_at), then the lowest mention id (deterministic).
{{ config(indexes=[{'columns': ['master_id']}]) }}

select distinct on (master_id, attribute)
    master_id, attribute, value, extract, delivery_id, file_name, source_row, role,
    observed_at, rank
from {{ ref('int_person_attribute_candidates') }}
order by master_id, attribute, rank, observed_at desc nulls last, mention_id
