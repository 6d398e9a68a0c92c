{#- The relationship marts (marriage, employment, household membership, house owners) are
    incremental by staged row: each of their rows is one staged row of one extract, read with
    the master ids its mentions are linked to. A staged row never changes (hub/ingest/changes.py),
    so a row's output changes only when a link of one of its mentions changes — and then the
    person or entity that lost the mention and the one that gained it both have a new
    fingerprint (macros/incremental_survivorship.sql) — or when the row leaves staging, which
    takes its mentions, and so a person of the old output, with it.

    A build therefore takes the affected persons (and entities, for a model naming them), and
    computes again the staged rows that either name one of them in the table now or mention one
    of them through a current link: those rows are deleted and read again (a row gone from
    staging reads as nothing), into the temporary table `_affected_rows` the model's SQL reads.
    Each model keeps its own basis tables, as the person models do. -#}

{#- Pre-hook. `person_columns` / `entity_columns`: the model's columns holding person / entity
    master ids; `extract`: the one extract the model reads. -#}
{% macro prepare_relationship_rows(extract, person_columns, entity_columns=[]) -%}
    {{ create_person_basis(this.identifier ~ '_person_basis') }}
    {%- if entity_columns %}
    {{ create_person_basis(this.identifier ~ '_entity_basis') }}
    {%- endif %}
    {%- if is_incremental() %}
    {{ find_affected(this.identifier ~ '_person_basis', 'person') }}
    {%- if entity_columns %}
    {{ find_affected(this.identifier ~ '_entity_basis', 'entity') }}
    {%- endif %}
    drop table if exists _affected_rows;
    create temporary table _affected_rows as
        select delivery_id, source_row from {{ this }}
        where {% for c in person_columns %}{{ c }} in (select master_id from _affected_persons)
            {%- if not loop.last %} or {% endif %}{% endfor %}
        {%- for c in entity_columns %}
            or {{ c }} in (select master_id from _affected_entities)
        {%- endfor %}
        union
        select m.delivery_id, m.source_row
        from {{ source('link', 'person_link') }} as l
        join {{ ref('int_person_mentions') }} as m using (mention_id)
        where l.master_id in (select master_id from _affected_persons)
          and m.extract = '{{ extract }}'
        {%- if entity_columns %}
        union
        select m.delivery_id, m.source_row
        from {{ source('link', 'entity_link') }} as l
        join {{ ref('int_entity_mentions') }} as m using (mention_id)
        where l.master_id in (select master_id from _affected_entities)
          and m.extract = '{{ extract }}'
        {%- endif %};
    analyze _affected_rows;
    delete from {{ this }}
    where (delivery_id, source_row) in (select delivery_id, source_row from _affected_rows);
    {%- endif %}
{%- endmacro %}

{#- Post-hook: keep the fingerprints the rows were computed from. -#}
{% macro record_relationship_rows(entity_columns=[]) -%}
    {{ record_person_rows(this.identifier ~ '_person_basis') }}
    {%- if entity_columns %}
    {{ record_person_rows(this.identifier ~ '_entity_basis', 'entity') }}
    {%- endif %}
{%- endmacro %}

{#- In an incremental build, the filter of a model's staged rows (or mentions) to the rows
    computed again. -#}
{% macro only_affected_rows() -%}
    {%- if is_incremental() %}
    where (delivery_id, source_row) in (select delivery_id, source_row from _affected_rows)
    {%- endif %}
{%- endmacro %}
