"""Collect (归集): pull a department's delivered file through its data contract into staging."""
