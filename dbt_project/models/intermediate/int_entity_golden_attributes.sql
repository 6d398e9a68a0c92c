-- The surviving value of each legal-entity attribute (same rule as for persons, with the
-- same `disputed` flag).
-- Written again only when its candidates were (the same inputs; macros/rewrite_when_changed.sql).
{{ config(
    materialized='incremental',
    on_schema_change='fail',
    indexes=[{'columns': ['master_id']}],
    pre_hook="{{ prepare_rewrite([staged_deliveries(['scjgj_qydj', 'rsj_cbxx', 'bdc_djxx']), entity_links_fingerprint()]) }}",
    post_hook="{{ record_rewrite() }}"
) }}

select distinct on (master_id, attribute)
    master_id, attribute, value, extract, delivery_id, file_name, source_row, role,
    observed_at, rank,
    min(value) over candidates <> max(value) over candidates as disputed
from {{ ref('int_entity_attribute_candidates') }}
where {{ only_when_rewritten() }}
window candidates as (
    partition by master_id, attribute
    order by rank, observed_at desc nulls last, mention_id
    rows between unbounded preceding and unbounded following
)
order by master_id, attribute, rank, observed_at desc nulls last, mention_id
