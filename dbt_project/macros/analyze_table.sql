{#- Post-hook of seeds, intermediate and mart models: fresh planner statistics for a table just
    built, so the next model plans its joins on real row counts. Autovacuum comes too late, and
    never for a seed: it analyzes a table after 50 changed rows, and the authority seed has 46.
    Unanalyzed, the seed made the planner sort 16M candidates to merge-join it. Views have
    nothing to analyze. -#}
{% macro analyze_table() -%}
{%- if config.get('materialized') in ('table', 'incremental', 'seed') -%}
analyze {{ this }}
{%- else -%}
select 1
{%- endif -%}
{%- endmacro %}
