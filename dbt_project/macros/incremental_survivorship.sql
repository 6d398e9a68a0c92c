{#- Person survivorship is incremental: a build recomputes the golden values of the persons
    whose inputs changed and leaves the other million alone.

    What survivorship reads of a person is: the mentions linked to them (a mention's content is
    fixed by its id, since a staged row never changes — hub/ingest/changes.py), the standard
    address codes their address texts match, the departments' ranks (seed `authority`), and
    their approved county corrections. Each person's **input fingerprint** is the count and a
    sum of 64-bit hashes of their mention ids and corrections — each hashed together with the
    address match's basis, so a re-matched register changes every fingerprint — and is kept in
    `intermediate.int_person_golden_basis` beside the golden table, written in the same
    transaction as the values it describes. A build compares the fingerprints now with the
    kept ones: the persons that differ (new, changed or gone) are deleted and computed again.
    No change log is kept, so nothing a failed run leaves behind can make it miss a person. The
    ranks and the SQL are covered by the dbt project's version: when it changes, the stage is
    built from scratch (hub/libraries/dbt.py). -#}

{% macro person_input_fingerprints() -%}
    with address_basis as (
        -- written by the address step (hub/linkage/addresses.py)
        select coalesce(max(basis), '') as basis from link.address_match_basis
    ),
    inputs as (
        select l.master_id, l.mention_id as input
        from {{ source('link', 'person_link') }} as l
        union all
        select c.record_id, 'correction:' || concat_ws('|', c.correction_id, c.attribute,
            c.new_value, c.county, c.corrected_at)
        from {{ source('distribute', 'correction') }} as c
        where c.outcome = 'candidate' and c.subject = 'person'
    )
    select i.master_id, count(*) as inputs,
        sum(hashtextextended(i.input || '|' || b.basis, 0)) as fingerprint
    from inputs as i cross join address_basis as b
    group by i.master_id
{%- endmacro %}

{#- Pre-hook: which persons to compute again (all in a full build), their old values deleted. -#}
{% macro prepare_person_survivorship() -%}
    create table if not exists intermediate.int_person_golden_basis (
        master_id text primary key, inputs bigint not null, fingerprint numeric not null);
    drop table if exists _person_inputs;
    create temporary table _person_inputs as {{ person_input_fingerprints() }};
    {%- if is_incremental() %}
    drop table if exists _affected_persons;
    create temporary table _affected_persons as
        select coalesce(n.master_id, o.master_id) as master_id
        from _person_inputs as n
        full join intermediate.int_person_golden_basis as o using (master_id)
        where n.inputs is distinct from o.inputs or n.fingerprint is distinct from o.fingerprint;
    analyze _affected_persons;
    delete from {{ this }} where master_id in (select master_id from _affected_persons);
    {%- endif %}
{%- endmacro %}

{#- Post-hook: keep the fingerprints the golden values were computed from. -#}
{% macro record_person_survivorship() -%}
    {%- if is_incremental() %}
    delete from intermediate.int_person_golden_basis
    where master_id in (select master_id from _affected_persons);
    insert into intermediate.int_person_golden_basis
    select * from _person_inputs where master_id in (select master_id from _affected_persons);
    {%- else %}
    truncate intermediate.int_person_golden_basis;
    insert into intermediate.int_person_golden_basis select * from _person_inputs;
    {%- endif %}
{%- endmacro %}
