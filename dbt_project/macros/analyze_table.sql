{#- Post-hook of intermediate and mart models: fresh planner statistics for a table just built,
    so the next model plans its joins on real row counts (autovacuum comes too late). Views
    have nothing to analyze. -#}
{% macro analyze_table() -%}
{%- if config.get('materialized') in ('table', 'incremental') -%}
analyze {{ this }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
