{#- Models written again whole when what they are made of changed, and left alone otherwise:
    houses, places and legal-entity survivorship. They are small next to the person tables
    (a few hundred thousand rows at a million persons) but not free, and a delivery that
    changes persons changes none of their inputs.

    A model names its inputs as SQL expressions giving text, joined into its fingerprint (for
    instance the staged deliveries of its extracts — a staged row never changes, and a snapshot's
    changed or removed rows come with a new delivery — and hash sums of the links it reads).
    The fingerprint its rows were written from is kept in `intermediate.model_input_basis`
    (created by `create_basis_tables()`),
    in the model's own transaction; when it differs (or in a full build) the model's rows are
    deleted and written again. What the fingerprint does not cover — the SQL and the seeds —
    the dbt project's version does (hub/libraries/dbt.py). -#}

{#- Pre-hook: `_rewrite` holds the fingerprint when the model is to be written (always in a
    full build), and is empty when its inputs are those it was written from. -#}
{% macro prepare_rewrite(inputs) -%}
    drop table if exists _rewrite;
    create temporary table _rewrite as select ({{ inputs | join(" || ' ' || ") }})::text as fingerprint;
    {%- if is_incremental() %}
    delete from _rewrite where fingerprint in (
        select fingerprint from intermediate.model_input_basis
        where model = '{{ this.identifier }}');
    delete from {{ this }} where exists (select 1 from _rewrite);
    {%- endif %}
{%- endmacro %}

{#- Post-hook: keep the fingerprint the rows were written from. -#}
{% macro record_rewrite() -%}
    insert into intermediate.model_input_basis (model, fingerprint, written_at)
    select '{{ this.identifier }}', fingerprint, now() from _rewrite
    on conflict (model) do update
        set fingerprint = excluded.fingerprint, written_at = excluded.written_at;
{%- endmacro %}

{#- In the model's SQL: no rows unless the model is written again. -#}
{% macro only_when_rewritten() -%}
    {%- if is_incremental() %}exists (select 1 from _rewrite){% else %}true{% endif %}
{%- endmacro %}

{#- The staged deliveries of some extracts, as text. -#}
{% macro staged_deliveries(extracts) -%}
    (select coalesce(string_agg(extract || '=' || delivery_id, ',' order by extract, delivery_id), '')
     from {{ source('staging', 'delivery') }}
     where status in ('loaded', 'superseded')
       and extract in ({% for e in extracts %}'{{ e }}'{{ ', ' if not loop.last }}{% endfor %}))
{%- endmacro %}

{#- What the address match says of the texts it matched: its basis (hub/linkage/addresses.py). -#}
{% macro address_match_basis() -%}
    (select coalesce(max(basis), '') from link.address_match_basis)
{%- endmacro %}

{#- The entity links, summed: which mention is which entity, how, and how sure. -#}
{% macro entity_links_fingerprint() -%}
    (select count(*) || ':' || coalesce(sum(hashtextextended(
        mention_id || '|' || master_id || '|' || method || '|' || score, 0)), 0)
     from {{ source('link', 'entity_link') }})
{%- endmacro %}
