-- Every value any department gives for a person attribute, with the person it was linked to
-- and the rank of its department for that attribute (seed `authority`, 一数一源).
-- A view: at a million persons these are 16M rows, and writing them cost more than the
-- survivorship that reads them; survivorship now reads the mentions directly (same macro),
-- `conflict` reads the candidates of the few disputed persons through this view.
{{ config(materialized='view') }}

{{ person_attribute_candidates() }}
