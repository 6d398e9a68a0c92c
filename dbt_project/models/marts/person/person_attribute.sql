-- Lineage of every golden person value: which department, delivery, file and row it came from.
-- A view: the survivorship table already holds exactly these rows, one per person and attribute
-- (its unique index guarantees it), so a copy of 12M rows at 1M persons would only cost time.
{{ config(materialized='view') }}

select
    master_id::text as master_id,
    attribute::text as attribute,
    value::text as value,
    extract::text as extract,
    delivery_id::bigint as delivery_id,
    file_name::text as file_name,
    source_row::text as source_row,
    rank::integer as authority_rank,
    observed_at::timestamp as observed_at
from {{ ref('int_person_golden_attributes') }}
