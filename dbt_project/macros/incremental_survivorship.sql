{#- The person models are incremental by person: a build computes again only the persons whose
    inputs changed and leaves the other million alone.

    `int_person_input_fingerprints` holds each person's fingerprint (its note says of what) and
    the number of the build in which it last changed (`changed_in`; a person who lost every
    input keeps a row with none, so their disappearance is a change like any other). The
    fingerprint model compares the fingerprints once per build; each incremental model keeps,
    in `intermediate.fingerprint_basis`, the build its rows are up to, written in the model's
    own transaction. A build takes the persons changed in a later build (into the temporary
    table `_affected_persons`, which the model's SQL reads), deletes their rows and computes
    them again. A model that failed or was skipped keeps its older build, so its next run takes
    every change since — no change is missed. Without a recorded build (a new model) it takes
    every person. What the fingerprints do not cover — the departments' ranks (seed
    `authority`) and the SQL itself — is covered by the dbt project's version: when it changes,
    the stage is built from scratch (hub/libraries/dbt.py). A model using these hooks names the
    fingerprints in its SQL (`-- depends_on: {{ ref('int_person_input_fingerprints') }}`) so
    that dbt builds them first. Legal entities work the same way (`int_entity_input_fingerprints`,
    `_affected_entities`). -#}

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

{#- Where each incremental model records the fingerprint build its rows are up to. (Until
    session 9 each model kept a copy of every fingerprint instead, and compared the million
    with it in every build; those tables are dropped.) -#}
{% macro create_person_basis(basis) -%}
    drop table if exists intermediate.{{ basis }};
{%- endmacro %}

{#- The tables the incremental models record their basis in, and the build numbers: created
    once at the start of each dbt invocation (`on-run-start`), since models building in
    parallel cannot both create one table. -#}
{% macro create_basis_tables() -%}
    create schema if not exists intermediate;
    create table if not exists intermediate.fingerprint_basis (
        basis text primary key, build bigint not null, recorded_at timestamptz not null);
    create sequence if not exists intermediate.fingerprint_build;
    create table if not exists intermediate.model_input_basis (
        model text primary key, fingerprint text not null, written_at timestamptz not null);
{%- endmacro %}

{#- The persons changed in a build later than the one the basis records, into the temporary
    table `_affected_persons`. -#}
{% macro find_affected_persons(basis) -%}
    {{ find_affected(basis, 'person') }}
{%- endmacro %}

{#- The subjects (`person`, or `entity` for legal entities) changed in a build later than the
    one the basis records (every subject when it records none), into the temporary table
    `_affected_persons` / `_affected_entities`. -#}
{% macro find_affected(basis, subject) -%}
    drop table if exists {{ affected_table(subject) }};
    create temporary table {{ affected_table(subject) }} as
        select master_id from {{ input_fingerprints(subject) }}
        where changed_in > coalesce(
            (select build from intermediate.fingerprint_basis where basis = '{{ basis }}'), -1);
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
    snapshot's first run (no table yet) takes every current row. -#}
{% macro prepare_person_history(basis) -%}
    {{ create_person_basis(basis) }}
    {%- if flags.FULL_REFRESH %}
    delete from intermediate.fingerprint_basis where basis = '{{ basis }}';
    {%- endif %}
    {{ find_affected_persons(basis) }}
{%- endmacro %}

{#- Post-hook: record the fingerprint build the rows are now up to (in a full build as in an
    incremental one). -#}
{% macro record_person_rows(basis, subject='person') -%}
    {{ record_affected_persons(basis, subject) }}
{%- endmacro %}

{#- Post-hook of a history snapshot kept by person, and of an incremental model's build. -#}
{% macro record_affected_persons(basis, subject='person') -%}
    insert into intermediate.fingerprint_basis (basis, build, recorded_at)
    select '{{ basis }}', coalesce(max(changed_in), -1), now() from {{ input_fingerprints(subject) }}
    on conflict (basis) do update set build = excluded.build, recorded_at = excluded.recorded_at;
{%- endmacro %}

{#- Pre-hook of a fingerprint model: the number of this build (`_fingerprint_build`). -#}
{% macro number_fingerprint_build() -%}
    drop table if exists _fingerprint_build;
    create temporary table _fingerprint_build as
        select nextval('intermediate.fingerprint_build') as build;
{%- endmacro %}

{#- The body of a fingerprint model, around `fingerprints` (a CTE of master_id, inputs,
    fingerprint computed now): in a full build every row, numbered with this build; in an
    incremental one the rows whose fingerprint changed, appeared or disappeared (kept with no
    inputs), which replace their old rows (`unique_key`). -#}
{% macro changed_fingerprints() -%}
    {%- if is_incremental() %}
    select coalesce(n.master_id, o.master_id) as master_id,
        coalesce(n.inputs, 0)::bigint as inputs,
        coalesce(n.fingerprint, 0)::numeric as fingerprint,
        b.build as changed_in
    from fingerprints as n
    full join {{ this }} as o using (master_id)
    cross join _fingerprint_build as b
    where coalesce(n.inputs, 0) is distinct from o.inputs
       or coalesce(n.fingerprint, 0) is distinct from o.fingerprint
    {%- else %}
    select n.master_id, n.inputs::bigint as inputs, n.fingerprint::numeric as fingerprint,
        b.build as changed_in
    from fingerprints as n
    cross join _fingerprint_build as b
    {%- endif %}
{%- endmacro %}

{#- In an incremental build, the filter to the persons computed again. -#}
{% macro only_affected_persons(column='master_id') -%}
    {%- if is_incremental() %}
    where {{ column }} in (select master_id from _affected_persons)
    {%- endif %}
{%- endmacro %}
