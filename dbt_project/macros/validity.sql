{#- A staged value is valid unless its row's flags name an error code for that field
    ("invalid_check_character:citizen_id"). Warnings (area code no longer in force, legacy ID
    upgraded) leave it valid: real people hold such IDs. -#}
{% macro is_valid(field, flags='flags') -%}
    ({{ field }} is not null and not coalesce({{ flags }} && array[
    {%- for code in var('error_codes') -%}
        '{{ code }}:{{ field }}'{{ ',' if not loop.last }}
    {%- endfor -%}
    ]::text[], false))
{%- endmacro %}

{#- The value when valid, else null. -#}
{% macro valid_or_null(field, flags='flags') -%}
    case when {{ is_valid(field, flags) }} then {{ field }} end
{%- endmacro %}
