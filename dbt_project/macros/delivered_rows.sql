{#- The rows of an extract's staging table that belong to a loaded delivery, with the delivery's
    lineage (file name, received time). Superseded snapshot rows are already gone from staging;
    rejected deliveries never staged rows — the join makes both rules explicit anyway. -#}
{% macro delivered_rows(extract) -%}
    select
        d.extract,
        d.department,
        d.file_name,
        d.received_at,
        s.*
    from {{ source('staging', extract) }} as s
    join {{ source('staging', 'delivery') }} as d using (delivery_id)
    where d.status = 'loaded'
{%- endmacro %}
