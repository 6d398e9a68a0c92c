{#- hub.xref is incremental in parts, because at a million persons it holds five million rows
    and a delivery that changes one per cent of persons changes a few thousand of them.

    - Person rows are kept by person, like the person models (macros/incremental_survivorship.sql):
      the rows of the persons whose fingerprint changed are deleted and written again. A
      person's fingerprint covers the mentions linked to them, with method and score, and a
      mention's row (extract, delivery, file, row, role) is fixed by its id.
    - Every other part (legal entities, houses, the address register's places, the gridworkers'
      places) is written again whole when what it is made of changed, and left alone otherwise.
      What each part is made of is summed up in `xref_part_fingerprints()`: the staged
      deliveries of its extract (a staged row never changes, and a snapshot's changed or removed
      rows come with a new delivery), and the mentions, links or places it joins.

    `intermediate.hub_xref_basis` keeps the person fingerprints and `intermediate.hub_xref_parts`
    the part fingerprints the table was written from; the project-version guard covers the SQL. -#}

{#- One row per non-person part of hub.xref: its name and a fingerprint of its inputs. -#}
{% macro xref_part_fingerprints() -%}
    {%- set parts = {
        'house': ['bdc_djxx'],
        'register_place': ['zrzyj_bzdz'],
        'visit_place': ['wgy_cj'],
        'legal_entity': ['scjgj_qydj', 'rsj_cbxx', 'bdc_djxx'],
    } -%}
    with deliveries as (
        select extract, string_agg(delivery_id::text, ',' order by delivery_id) as staged
        from {{ source('staging', 'delivery') }}
        where status in ('loaded', 'superseded')
        group by extract
    ),
    joined as (
        select 'visit_place' as part, count(*) || ':' || coalesce(sum(
            hashtextextended(master_id || '|' || std_address_code, 0)), 0) as inputs
        from {{ ref('place') }}
        union all
        select 'legal_entity', count(*) || ':' || coalesce(sum(hashtextextended(
            l.mention_id || '|' || l.master_id || '|' || l.method || '|' || l.score, 0)), 0)
        from {{ ref('int_entity_mentions') }} as m
        join {{ source('link', 'entity_link') }} as l using (mention_id)
    ),
    parts (part, extract) as (
        values
        {%- for part, extracts in parts.items() %}
            {%- set outer_loop = loop %}
            {%- for extract in extracts %}
            ('{{ part }}', '{{ extract }}'){{ ',' if not (outer_loop.last and loop.last) }}
            {%- endfor %}
        {%- endfor %}
    )
    select p.part,
        string_agg(p.extract || '=' || coalesce(d.staged, ''), ';' order by p.extract)
            || coalesce(';' || max(j.inputs), '') as fingerprint
    from parts as p
    left join deliveries as d using (extract)
    left join joined as j using (part)
    group by p.part
{%- endmacro %}

{#- Pre-hook: the persons and parts to write again, their old rows deleted. -#}
{% macro prepare_xref(basis) -%}
    {{ prepare_person_rows(basis, rows="subject = 'person'") }}
    create table if not exists intermediate.hub_xref_parts (
        part text primary key, fingerprint text not null);
    drop table if exists _xref_parts_now;
    create temporary table _xref_parts_now as {{ xref_part_fingerprints() }};
    drop table if exists _xref_parts;
    create temporary table _xref_parts as
        select part from _xref_parts_now
        {%- if is_incremental() %}
        except
        select part from intermediate.hub_xref_parts as o
        join _xref_parts_now as n using (part, fingerprint)
        {%- endif %};
    {%- if is_incremental() %}
    {%- for part, condition in xref_parts().items() %}
    delete from {{ this }}
    where {{ condition }} and exists (select 1 from _xref_parts where part = '{{ part }}');
    {%- endfor %}
    {%- endif %}
{%- endmacro %}

{#- Which rows of hub.xref each non-person part holds. -#}
{% macro xref_parts() -%}
    {{ return({
        'house': "subject = 'house'",
        'register_place': "subject = 'place' and extract = 'zrzyj_bzdz'",
        'visit_place': "subject = 'place' and extract = 'wgy_cj'",
        'legal_entity': "subject = 'legal_entity'",
    }) }}
{%- endmacro %}

{#- In the model: the rows of a part are written when the part changed (always in a full build). -#}
{% macro when_xref_part_changed(part) -%}
    exists (select 1 from _xref_parts where part = '{{ part }}')
{%- endmacro %}

{#- Post-hook: keep the fingerprints the table was written from. -#}
{% macro record_xref(basis) -%}
    {{ record_person_rows(basis) }}
    truncate intermediate.hub_xref_parts;
    insert into intermediate.hub_xref_parts select * from _xref_parts_now;
{%- endmacro %}
