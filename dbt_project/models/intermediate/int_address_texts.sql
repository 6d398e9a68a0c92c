-- Every distinct free-text address the departments deliver, for address matching (link stage):
-- registration addresses, allowance family addresses, property locations, gridworker texts,
-- registered addresses of entities. Matched once per distinct text, joined back by text.
{{ config(tags=['mentions'], indexes=[{'columns': ['address_text'], 'unique': true}]) }}

select address_text from {{ ref('int_person_mentions') }} where address_text is not null
union
select address from {{ ref('int_entity_mentions') }} where address is not null
union
select location from {{ ref('stg_bdc_djxx__property_registrations') }} where location is not null
