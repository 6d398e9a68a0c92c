-- One row per legal entity: a fingerprint of what the models kept by entity read of it (the
-- relationship marts naming an employer or an owning organization), as
-- int_person_input_fingerprints is for persons: the entity's linked mentions with how they
-- were linked and how sure, each hashed with the address match's basis. `inputs` counts
-- them, `fingerprint` sums their 64-bit hashes; `changed_in` is the build in which it last
-- changed (macros/incremental_survivorship.sql).
{{ config(
    materialized='incremental',
    unique_key='master_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    indexes=[{'columns': ['master_id'], 'unique': true}, {'columns': ['changed_in']}],
    pre_hook="{{ number_fingerprint_build() }}"
) }}

with address_basis as (
    select coalesce(max(basis), '') as basis from link.address_match_basis
),

fingerprints as (
    select l.master_id, count(*) as inputs,
        sum(hashtextextended(
            l.mention_id || '|' || l.method || '|' || l.score || '|' || b.basis, 0)) as fingerprint
    from {{ source('link', 'entity_link') }} as l
    cross join address_basis as b
    group by l.master_id
)

{{ changed_fingerprints() }}
