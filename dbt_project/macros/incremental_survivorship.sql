{#- The person models are incremental by person: a build computes again only the persons whose
    inputs changed and leaves the other million alone.

    `int_person_input_fingerprints` holds each person's fingerprint now (its note says of
    what). Each incremental person model keeps, in a basis table of its own beside it, the
    fingerprints its rows were computed from, written in the model's own transaction. A build
    compares the two: the persons whose fingerprint differs, appears or disappears have their
    rows deleted and computed again (into the temporary table `_affected_persons`, which the
    model's SQL reads). Each model compares against its own basis, and no change log is kept,
    so a failed or skipped run cannot make a later one miss a person. What the fingerprints do
    not cover — the departments' ranks (seed `authority`) and the SQL itself — is covered by
    the dbt project's version: when it changes, the stage is built from scratch
    (hub/libraries/dbt.py). A model using these hooks names the fingerprints in its SQL
    (`-- depends_on: {{ ref('int_person_input_fingerprints') }}`) so that dbt builds them first. -#}

{#- Pre-hook: the persons to compute again (all in a full build), their old rows deleted (those
    `rows` names, in a table that holds other subjects' rows too). -#}
{% macro prepare_person_rows(basis, rows=none) -%}
    {{ create_person_basis(basis) }}
    {%- if is_incremental() %}
    {{ find_affected_persons(basis) }}
    delete from {{ this }} where master_id in (select master_id from _affected_persons)
        {%- if rows %} and {{ rows }}{% endif %};
    {%- endif %}
{%- endmacro %}

{#- The basis table of a model: the fingerprints its rows were computed from. -#}
{% macro create_person_basis(basis) -%}
    create table if not exists intermediate.{{ basis }} (
        master_id text primary key, inputs bigint not null, fingerprint numeric not null);
{%- endmacro %}

{#- The persons whose fingerprint differs from the basis, appears or disappears, into the
    temporary table `_affected_persons`. -#}
{% macro find_affected_persons(basis) -%}
    {{ find_affected(basis, 'person') }}
{%- endmacro %}

{#- The subjects (`person`, or `entity` for legal entities, whose fingerprints are
    `int_entity_input_fingerprints`) whose fingerprint differs from the basis, appears or
    disappears, into the temporary table `_affected_persons` / `_affected_entities`. -#}
{% macro find_affected(basis, subject) -%}
    drop table if exists {{ affected_table(subject) }};
    create temporary table {{ affected_table(subject) }} as
        select coalesce(n.master_id, o.master_id) as master_id
        from {{ input_fingerprints(subject) }} as n
        full join intermediate.{{ basis }} as o using (master_id)
        where n.inputs is distinct from o.inputs or n.fingerprint is distinct from o.fingerprint;
    analyze {{ affected_table(subject) }};
{%- endmacro %}

{% macro affected_table(subject) -%}
    {{ '_affected_persons' if subject == 'person' else '_affected_entities' }}
{%- endmacro %}

{% macro input_fingerprints(subject) -%}
    {{ ref('int_person_input_fingerprints') if subject == 'person'
       else ref('int_entity_input_fingerprints') }}
{%- endmacro %}

{#- Pre-hook of a history snapshot kept by person (meta `person_basis`): the persons whose
    golden record may have changed since the snapshot last looked at them. A snapshot is never
    rebuilt, not even by `--full-refresh`; a full refresh of the project, which may have changed
    how every golden record is computed, makes the snapshot compare every person again. A
    snapshot's first run (no table yet) takes every current row, and its basis records all. -#}
{% macro prepare_person_history(basis) -%}
    {{ create_person_basis(basis) }}
    {%- if flags.FULL_REFRESH %}
    truncate intermediate.{{ basis }};
    {%- endif %}
    {{ find_affected_persons(basis) }}
{%- endmacro %}

{#- Post-hook: keep the fingerprints the rows were computed from. -#}
{% macro record_person_rows(basis, subject='person') -%}
    {%- if is_incremental() %}
    {{ record_affected_persons(basis, subject) }}
    {%- else %}
    truncate intermediate.{{ basis }};
    insert into intermediate.{{ basis }} select * from {{ input_fingerprints(subject) }};
    {%- endif %}
{%- endmacro %}

{#- Post-hook of a history snapshot kept by person, and of an incremental model's build. -#}
{% macro record_affected_persons(basis, subject='person') -%}
    delete from intermediate.{{ basis }}
    where master_id in (select master_id from {{ affected_table(subject) }});
    insert into intermediate.{{ basis }}
    select * from {{ input_fingerprints(subject) }}
    where master_id in (select master_id from {{ affected_table(subject) }});
{%- endmacro %}

{#- In an incremental build, the filter to the persons computed again. -#}
{% macro only_affected_persons(column='master_id') -%}
    {%- if is_incremental() %}
    where {{ column }} in (select master_id from _affected_persons)
    {%- endif %}
{%- endmacro %}
