"""Collect (归集): one staging asset per department extract, fed by the inbox sensor."""
