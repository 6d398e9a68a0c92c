{#- The rows of an extract's staging table, with the lineage of the delivery that brought each
    (file name, received time). Staging holds only current rows: an incremental delivery's rows
    stay, a snapshot replaces the extract's rows with its change set — a row it repeats
    unchanged keeps the delivery that first brought it, which is then `superseded` as a
    delivery but still the true origin of that row (hub/ingest/changes.py). Rejected deliveries
    never staged rows; the filter makes that rule explicit anyway. -#}
{% macro delivered_rows(extract) -%}
    select
        d.extract,
        d.department,
        d.file_name,
        d.received_at,
        s.*
    from {{ source('staging', extract) }} as s
    join {{ source('staging', 'delivery') }} as d using (delivery_id)
    where d.status in ('loaded', 'superseded')
{%- endmacro %}
