{#- The mention tables are incremental: a build adds the mentions of deliveries it has not seen
    and forgets those whose staged row is gone, instead of rebuilding three million rows for a
    delivery that changed a few thousand. This holds because a staged row never changes once
    staged — a snapshot is staged as its change set (hub/ingest/changes.py): a changed record
    is a new row under the new delivery, and the old row leaves — and because a delivery is
    staged whole, in one transaction, so its rows are either all mentioned or none. A mention
    computed by other SQL is the one thing this cannot see: when any project file changes, the
    stage is built from scratch (`--full-refresh`, hub/libraries/dbt.py `build_arguments`). -#}

{#- The deliveries whose rows are not mentioned yet (every staged delivery in a full build). -#}
{% macro unmentioned_deliveries() -%}
    select d.delivery_id
    from {{ source('staging', 'delivery') }} as d
    where d.status in ('loaded', 'superseded')
    {%- if is_incremental() %}
    -- one hashed pass over the mentions (`not exists` per delivery scanned them per delivery)
    except
    select distinct m.delivery_id from {{ this }} as m
    {%- endif %}
{%- endmacro %}

{#- The rows of a staging model that the model using it has not mentioned yet (all of them in a
    full build); needs the CTE `new_deliveries` (`unmentioned_deliveries()`). -#}
{% macro unmentioned_rows(relation) -%}
    select * from {{ relation }} where delivery_id in (select delivery_id from new_deliveries)
{%- endmacro %}

{#- Pre-hook: forget the mentions of staged rows a later snapshot removed (only a snapshot
    removes rows, and only rows of earlier snapshots of its extract). -#}
{% macro forget_unstaged_mentions(extracts) -%}
    {%- if is_incremental() -%}
        {%- for extract in extracts %}
    delete from {{ this }} as m
    where m.extract = '{{ extract }}'
      and m.delivery_id in (
          select delivery_id from {{ source('staging', 'delivery') }}
          where extract = '{{ extract }}' and mode = 'snapshot')
      and not exists (
          select 1 from {{ source('staging', extract) }} as s
          -- in staging's own type (integer, or text for a JSON extract), so that each probe is
          -- one read of its primary key: comparing as text read the whole delivery per mention
          where s.delivery_id = m.delivery_id
            and s.source_row = m.source_row::{{ staged_source_row_type(extract) }}
      );
        {%- endfor -%}
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

{#- The type of `source_row` in an extract's staging table (the mention tables hold it as text). -#}
{% macro staged_source_row_type(extract) -%}
    {%- set kinds = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(source('staging', extract)) -%}
            {%- if column.name == 'source_row' -%}{%- do kinds.append(column.data_type) -%}{%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(kinds[0] if kinds else 'text') }}
{%- endmacro %}
