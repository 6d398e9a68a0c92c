{#- Models land in exactly the schema their folder names (stg, intermediate, hub): the public
    schema is `hub`, not `<target>_hub`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name is not none else target.schema }}
{%- endmacro %}
