-- One row per person: a fingerprint of everything the person models (and the person rows of
-- hub.xref) read of them, so that an incremental build recomputes only the persons whose
-- fingerprint changed (macros/incremental_survivorship.sql). The inputs are the mentions linked
-- to the person with how they were linked and how sure (a mention's content is fixed by its id:
-- staged rows never change), and their approved county corrections; each input is hashed with
-- the address match's basis, so a re-matched register changes every fingerprint. `inputs`
-- counts them; `fingerprint` is the sum of their 64-bit hashes (order-independent, one scan of
-- the links). Incremental: each build compares the fingerprints once and keeps the changed
-- ones with the build's number (`changed_in`); the person models take the persons changed
-- since the build they are up to (macros/incremental_survivorship.sql).
{{ config(
    materialized='incremental',
    unique_key='master_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    indexes=[{'columns': ['master_id'], 'unique': true}, {'columns': ['changed_in']}],
    pre_hook="{{ number_fingerprint_build() }}"
) }}

with address_basis as (
    -- written with link.address_match by the address step (hub/linkage/addresses.py), which
    -- the libraries stage runs after; not a dbt source, as it is part of that one asset
    select coalesce(max(basis), '') as basis from link.address_match_basis
),

inputs as (
    select l.master_id, l.mention_id || '|' || l.method || '|' || l.score as input
    from {{ source('link', 'person_link') }} as l
    union all
    select c.record_id, 'correction:' || concat_ws('|', c.correction_id, c.attribute,
        c.new_value, c.county, c.corrected_at)
    from {{ source('distribute', 'correction') }} as c
    where c.outcome = 'candidate' and c.subject = 'person'
),

fingerprints as (
    select i.master_id, count(*) as inputs,
        sum(hashtextextended(i.input || '|' || b.basis, 0)) as fingerprint
    from inputs as i
    cross join address_basis as b
    group by i.master_id
)

{{ changed_fingerprints() }}
