-- The surviving value of each person attribute: the best-ranked department that has a value;
-- within it the most recent record (observed_at), then the lowest mention id (deterministic).
-- `disputed`: the candidates disagree (two or more distinct values) — computed in the same
-- sort, so that `conflict` only revisits these few attributes instead of all of them.
-- The unique index is what guarantees one value per person and attribute in hub.person_attribute
-- (a view of this table).
-- Incremental: only the persons whose inputs changed are computed again
-- (macros/incremental_survivorship.sql).
-- depends_on: {{ ref('int_person_input_fingerprints') }}
{{ config(
    materialized='incremental',
    indexes=[{'columns': ['master_id', 'attribute'], 'unique': True}],
    pre_hook="{{ prepare_person_rows('int_person_golden_basis') }}",
    post_hook="{{ record_person_rows('int_person_golden_basis') }}"
) }}

with candidates as (
    -- the candidates come ordered by master id: the sort below is per person (macro's note)
    {%- if is_incremental() %}
    {{ person_attribute_candidates(sorted=true, masters='select master_id from _affected_persons') }}
    {%- else %}
    {{ person_attribute_candidates(sorted=true) }}
    {%- endif %}
)

select distinct on (master_id, attribute)
    master_id, attribute, value, extract, delivery_id, file_name, source_row, role,
    observed_at, rank,
    min(value) over candidates <> max(value) over candidates as disputed
from candidates
window candidates as (
    partition by master_id, attribute
    order by rank, observed_at desc nulls last, mention_id
    rows between unbounded preceding and unbounded following
)
order by master_id, attribute, rank, observed_at desc nulls last, mention_id
