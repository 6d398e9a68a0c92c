{#- Every value any department gives for a person attribute, with the person it was linked to
    and the rank of its department for that attribute (seed `authority`, 一数一源); approved
    gridworker corrections (extract wgy_jz, synced from the counties) come in as one-attribute
    mentions. Shared by the candidates view and survivorship.

    `sorted`: the linked mentions come out ordered by master id, before they are unpivoted. A
    person has a handful of mentions, so survivorship's sort by (master id, attribute, rank, …)
    then only sorts each person's few values (an incremental sort) instead of the 16M values
    of a million persons at once: the sort was most of survivorship's time. The department's
    ranks ride along as one small array per extract (a rank per attribute), not as a join
    after the unpivot, because a hash join there would lose the order.

    `masters`: a query of master ids, to read only those persons' candidates (through the
    links' master id index) instead of all of them. -#}
{% macro person_attribute_candidates(sorted=false, masters=none) %}
{%- set attributes = [
    'name', 'sex', 'birth_date', 'ethnicity', 'registration_county', 'registration_address',
    'household_number', 'relation_to_head', 'person_status', 'death_date', 'marital_status',
    'allowance_status', 'address_code', 'phone'] -%}
{%- set values = [
    ('name', 'linked.name'),
    ('sex', 'linked.sex'),
    ('birth_date', 'linked.birth_date'),
    ('ethnicity', 'linked.ethnicity'),
    ('registration_county', 'linked.registration_county'),
    ('registration_address', 'linked.registration_address'),
    ('household_number', 'linked.household_number'),
    ('relation_to_head', 'linked.relation_to_head'),
    ('person_status', 'linked.person_status'),
    ('death_date', 'linked.death_date'),
    ('marital_status', 'linked.marital_status'),
    ('allowance_status', 'linked.allowance_status'),
    ('registration_address_code',
        "case when linked.extract = 'gaj_rkxx' then linked.matched_code end"),
    ('current_address_code', 'coalesce(linked.address_code, linked.matched_code)'),
    ('phone', 'linked.phone')] -%}
{%- set ranks -%}
    -- per extract, its rank for each attribute in the order of `values` (null: not a source)
    (select extract, array[
        {%- for attribute, _ in values %}
        min(rank) filter (where attribute = '{{ attribute }}'){{ ',' if not loop.last }}
        {%- endfor %}
     ]::integer[] as ranks
     from {{ ref('authority') }} where subject = 'person' group by extract)
{%- endset -%}
select
    linked.master_id, linked.mention_id, linked.extract, linked.delivery_id, linked.file_name,
    linked.source_row, linked.role, linked.observed_at, v.attribute, v.value, v.rank
-- no WITH here: a query with its own CTEs is not merged into the query that uses it, and
-- survivorship would lose the order by master id
from (
    select
        l.master_id, m.mention_id, m.extract, m.delivery_id, m.file_name, m.source_row, m.role,
        m.observed_at, r.ranks,
        {%- for a in attributes %}
        m.{{ a }}::text as {{ a }},
        {%- endfor %}
        a.std_address_code as matched_code
    from {{ ref('int_person_mentions') }} as m
    join {{ source('link', 'person_link') }} as l using (mention_id)
    join {{ ranks }} as r using (extract)
    left join {{ source('link', 'address_match') }} as a on a.address_text = m.address_text
    {%- if masters %}
    where l.master_id in ({{ masters }})
    {%- endif %}

    union all
    -- an approved correction of a gridworker-owned attribute (上报), for a person still linked
    select
        c.record_id, 'wgy_jz:' || c.correction_id, 'wgy_jz', null::bigint, 'county:' || c.county,
        c.correction_id, 'resident', c.corrected_at, r.ranks,
        {%- for a in attributes %}
        {%- set attribute = 'current_address_code' if a == 'address_code' else a %}
        case when c.attribute = '{{ attribute }}' then c.new_value end,
        {%- endfor %}
        null
    from {{ source('distribute', 'correction') }} as c
    join {{ ranks }} as r on r.extract = 'wgy_jz'
    where c.outcome = 'candidate' and c.subject = 'person'
      and c.record_id in (select master_id from {{ source('link', 'person_link') }})
      {%- if masters %}
      and c.record_id in ({{ masters }})
      {%- endif %}
    {%- if sorted %}
    order by master_id
    {%- endif %}
) as linked
-- registration_address_code: the police address matched to the address register;
-- current_address_code: a gridworker's code as recorded, else where the department's text points
cross join lateral (values
    {%- for attribute, value in values %}
    ('{{ attribute }}', {{ value }}, linked.ranks[{{ loop.index }}]){{ ',' if not loop.last }}
    {%- endfor %}
) as v (attribute, value, rank)
where v.value is not null and v.rank is not null
{% endmacro %}
