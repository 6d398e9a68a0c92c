{#- The history snapshots' change set with one join instead of three.

    dbt's own staging query (default__snapshot_staging_table) joins the whole source with the
    current snapshot rows three times — once for new and changed rows, once for the versions they
    close, once for deleted keys. At a million persons, person_attribute_history compares twelve
    million values that way, which took more than two minutes for a delivery that changed one
    per cent of them. Here one full outer join finds every key that is new, changed or gone, and
    the three kinds of change are read from that (small) result. The rows, their columns and their
    order are dbt's, so dbt's merge (update dbt_valid_to by dbt_scd_id, insert new versions) runs
    unchanged; `hard_deletes: new_record` keeps dbt's own query.

    A snapshot kept by person (meta `person_basis`, macros/incremental_survivorship.sql) compares
    only the persons in `_affected_persons`, which its pre-hook found: a person outside it has the
    same golden record as when the snapshot last compared it. -#}
{% macro postgres__snapshot_staging_table(strategy, source_sql, target_relation) -%}
    {%- if strategy.hard_deletes == 'new_record' or config.get('dbt_valid_to_current') -%}
        {{ return(default__snapshot_staging_table(strategy, source_sql, target_relation)) }}
    {%- endif -%}
    {%- set columns = config.get('snapshot_table_column_names') or get_snapshot_table_column_names() -%}
    {%- set source_columns = get_columns_in_query(source_sql) -%}
    {%- set keys = strategy.unique_key if strategy.unique_key | is_list else [strategy.unique_key] -%}
    {%- set key_names = [] -%}
    {%- if strategy.unique_key | is_list -%}
        {%- for key in keys -%}{%- do key_names.append('dbt_unique_key_' ~ loop.index) -%}{%- endfor -%}
    {%- else -%}
        {%- do key_names.append('dbt_unique_key') -%}
    {%- endif -%}
    {#- the source's columns and the key columns, in the order dbt's staging rows have them -#}
    {%- set payload = [] -%}
    {%- for column in source_columns -%}{%- do payload.append(adapter.quote(column)) -%}{%- endfor -%}
    {%- for name in key_names -%}{%- do payload.append(name) -%}{%- endfor %}
    with snapshot_query as (
        {%- if by_person_snapshot() %}
        select * from (

        {{ source_sql }}

        ) as snapshot_source where master_id in (select master_id from _affected_persons)
        {%- else %}

        {{ source_sql }}
        {%- endif %}

    ),

    snapshotted_data as (
        select *, {{ unique_key_fields(strategy.unique_key) }}
        from {{ target_relation }}
        where {{ columns.dbt_valid_to }} is null
        {%- if by_person_snapshot() %}
            and master_id in (select master_id from _affected_persons)
        {%- endif %}
    ),

    source_data as (
        select *, {{ unique_key_fields(strategy.unique_key) }},
            {{ strategy.updated_at }} as {{ columns.dbt_updated_at }},
            {{ strategy.updated_at }} as {{ columns.dbt_valid_from }}
        from snapshot_query
    ),

    -- every key that is new, changed or gone; nothing else leaves the join
    changes as materialized (
        select
            {%- for column in payload %}
            source_data.{{ column }},
            {%- endfor %}
            source_data.{{ columns.dbt_updated_at }},
            source_data.{{ columns.dbt_valid_from }},
            snapshotted_data.{{ columns.dbt_scd_id }} as dbt_closed_scd_id,
            {{ unique_key_is_not_null(strategy.unique_key, "source_data") }} as dbt_in_source,
            {{ unique_key_is_not_null(strategy.unique_key, "snapshotted_data") }} as dbt_in_snapshot
        from source_data
        full outer join snapshotted_data
            on {{ unique_key_join_on(strategy.unique_key, "snapshotted_data", "source_data") }}
        where {{ unique_key_is_null(strategy.unique_key, "snapshotted_data") }}
            {%- if strategy.hard_deletes == 'invalidate' %}
            or {{ unique_key_is_null(strategy.unique_key, "source_data") }}
            {%- endif %}
            or ({{ unique_key_is_not_null(strategy.unique_key, "source_data") }}
                and ({{ strategy.row_changed }}))
    )

    select
        'insert' as dbt_change_type,
        {{ payload | join(', ') }},
        {{ columns.dbt_updated_at }},
        {{ columns.dbt_valid_from }},
        {{ get_dbt_valid_to_current(strategy, columns) }},
        {{ strategy.scd_id }} as {{ columns.dbt_scd_id }}
    from changes
    where dbt_in_source

    union all
    select
        'update' as dbt_change_type,
        {{ payload | join(', ') }},
        {{ columns.dbt_updated_at }},
        {{ columns.dbt_valid_from }},
        {{ columns.dbt_valid_from }} as {{ columns.dbt_valid_to }},
        dbt_closed_scd_id as {{ columns.dbt_scd_id }}
    from changes
    where dbt_in_source and dbt_in_snapshot
    {%- if strategy.hard_deletes == 'invalidate' %}

    union all
    select
        'delete' as dbt_change_type,
        {{ payload | join(', ') }},
        {{ snapshot_get_time() }} as {{ columns.dbt_valid_from }},
        {{ snapshot_get_time() }} as {{ columns.dbt_updated_at }},
        {{ snapshot_get_time() }} as {{ columns.dbt_valid_to }},
        dbt_closed_scd_id as {{ columns.dbt_scd_id }}
    from changes
    where not dbt_in_source
    {%- endif %}
{%- endmacro %}


{#- Is the snapshot being built kept by person? -#}
{% macro by_person_snapshot() -%}
    {{ return((config.get('meta') or {}).get('person_basis') is not none) }}
{%- endmacro %}

{#- dbt's merge (dbt-postgres's, as written there), which for a snapshot kept by person closes
    versions of the affected persons only: with the partial index on current versions by person
    (the snapshot's post-hook) that reads their few rows instead of every current version. -#}
{% macro postgres__snapshot_merge_sql(target, source, insert_cols) -%}
    {%- set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() -%}
    update {{ target }}
    set {{ columns.dbt_valid_to }} = DBT_INTERNAL_SOURCE.{{ columns.dbt_valid_to }}
    from {{ source }} as DBT_INTERNAL_SOURCE
    where DBT_INTERNAL_SOURCE.{{ columns.dbt_scd_id }}::text = {{ target }}.{{ columns.dbt_scd_id }}::text
      and DBT_INTERNAL_SOURCE.dbt_change_type::text in ('update'::text, 'delete'::text)
      {%- if config.get("dbt_valid_to_current") %}
      and ({{ target }}.{{ columns.dbt_valid_to }} = {{ config.get('dbt_valid_to_current') }}
           or {{ target }}.{{ columns.dbt_valid_to }} is null)
      {%- else %}
      and {{ target }}.{{ columns.dbt_valid_to }} is null
      {%- endif %}
      {%- if by_person_snapshot() %}
      and {{ target }}.master_id in (select master_id from _affected_persons)
      {%- endif %};

    insert into {{ target }} ({{ insert_cols | join(', ') }})
    select {% for column in insert_cols -%}
        DBT_INTERNAL_SOURCE.{{ column }} {%- if not loop.last %}, {%- endif %}
    {%- endfor %}
    from {{ source }} as DBT_INTERNAL_SOURCE
    where DBT_INTERNAL_SOURCE.dbt_change_type::text = 'insert'::text;
{%- endmacro %}

{#- Post-hook of a snapshot kept by person: its current versions indexed by person, which is how
    the next build reads them. -#}
{% macro index_current_versions() -%}
    create index if not exists {{ this.identifier }}_current
        on {{ this }} (master_id) where dbt_valid_to is null;
{%- endmacro %}
