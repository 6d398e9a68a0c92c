"""The subject libraries (主题库): dbt project runner, its sources, the golden records."""
