"""Settings files: validated on load, errors name the file and the key."""

from __future__ import annotations

import pytest

from matching.config import SettingsError, load_settings, parse_settings
from tests.matching.helpers import person_settings


def test_shipped_settings_files_load():
    for name in ("febrl3", "febrl4"):
        assert load_settings(name).name == name


def test_unknown_key_is_an_error_naming_file_and_key(tmp_path):
    path = tmp_path / "persons.yaml"
    raw = person_settings()
    raw["comparisons"][0]["levels"][1]["at_leest"] = 0.9
    import yaml

    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        load_settings(path)
    assert str(path) in str(error.value)
    assert "comparisons.0.levels.1.at_leest" in str(error.value)


def test_a_distance_scorer_needs_at_most():
    raw = person_settings()
    raw["comparisons"][0]["levels"][1] = {"scorer": "levenshtein", "at_least": 1}
    with pytest.raises(SettingsError, match=r"test.yaml: comparisons.0.levels.1: .*at_most"):
        parse_settings(raw, source="test.yaml")


def test_thresholds_must_be_ordered():
    with pytest.raises(SettingsError, match="thresholds"):
        parse_settings(person_settings(thresholds={"upper": 0.2, "lower": 0.8}), "test.yaml")


def test_date_levels_need_a_date_comparison():
    raw = person_settings()
    raw["comparisons"][2]["levels"].append({"within_days": 3})
    with pytest.raises(SettingsError, match="comparisons.2"):
        parse_settings(raw, "test.yaml")


def test_missing_file_is_named(tmp_path):
    with pytest.raises(SettingsError, match="nowhere.yaml"):
        load_settings(tmp_path / "nowhere.yaml")
