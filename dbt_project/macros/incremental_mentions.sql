{#- The mention tables are incremental: a build adds the mentions of deliveries it has not seen
    and forgets those whose staged row is gone, instead of rebuilding three million rows for a
    delivery that changed a few thousand. This holds because a staged row never changes once
    staged — a snapshot is staged as its change set (hub/ingest/changes.py): a changed record
    is a new row under the new delivery, and the old row leaves — and because a delivery is
    staged whole, in one transaction, so its rows are either all mentioned or none. A mention
    computed by other SQL is the one thing this cannot see: when any project file changes, the
    stage is built from scratch (`--full-refresh`, hub/libraries/dbt.py `build_arguments`). -#}

{#- Pre-hook: the deliveries whose rows are not mentioned yet, into the temporary table
    `_new_deliveries` (analyzed, so the planner reads their few rows through staging's primary
    key instead of scanning every staged row); then forget the mentions of the staged rows that
    those deliveries — snapshots — took out of staging, as listed in `staging.removed_row`
    (only a snapshot removes rows, in the transaction that stages it). A snapshot that staged
    no new row stays "not mentioned" and its removals are applied again each build: they find
    nothing left to delete. In a full build the model reads every staged row and needs neither.
    The mention tables carry an index on (delivery_id, source_row) for both lookups. -#}
{% macro prepare_mentions(extracts) -%}
    {%- if is_incremental() %}
    drop table if exists _new_deliveries;
    create temporary table _new_deliveries as
        select d.delivery_id
        from {{ source('staging', 'delivery') }} as d
        where d.status in ('loaded', 'superseded')
          and not exists (select 1 from {{ this }} as m where m.delivery_id = d.delivery_id);
    analyze _new_deliveries;
    delete from {{ this }} as m
    using {{ source('staging', 'removed_row') }} as r
    where r.removed_by in (select delivery_id from _new_deliveries)
      and r.extract in ({% for e in extracts %}'{{ e }}'{% if not loop.last %}, {% endif %}{% endfor %})
      and m.delivery_id = r.delivery_id and m.source_row = r.source_row;
    {%- else -%}
    select 1
    {%- endif %}
{%- endmacro %}

{#- The rows of a staging model that the model using it has not mentioned yet (all of them in a
    full build); an incremental build reads `_new_deliveries` (`prepare_mentions`). -#}
{% macro unmentioned_rows(relation) -%}
    select * from {{ relation }}
    {%- if is_incremental() %} where delivery_id in (select delivery_id from _new_deliveries){% endif %}
{%- endmacro %}
