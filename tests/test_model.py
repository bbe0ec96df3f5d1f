"""The schema, through the loader: typos, types, strictness, all located."""

from __future__ import annotations

from pathlib import Path

import pytest

from uncoop import load
from uncoop.dates import FlexDate, Quarter


def problems_for(matrix_dir: Path, text: str, name: str = "HUM-01.yaml") -> list[str]:
    path = matrix_dir / "activities" / "humanitarian" / name
    path.write_text(text)
    _, problems = load.load(matrix_dir, matrix_dir.parent)
    return sorted(p.as_text() for p in problems)


BASE = """id: HUM-01
title: Plan of Action
area: humanitarian
source: [50]
leads:
  un: [OCHA]
  oic: [ICHAD]
status: implementation
dates:
  planned_start: 2014-07
  planned_end: 2016-Q2
"""
P = "matrix/activities/humanitarian/HUM-01.yaml"


def test_house_style_activity_is_valid(matrix_dir: Path):
    assert problems_for(matrix_dir, BASE) == []


def test_typo_in_a_field_name_points_at_the_key(matrix_dir: Path):
    found = problems_for(matrix_dir, BASE.replace("status:", "stauts:"))
    # the missing 'status' is explained by the typo: one line, not two
    assert found == [f"{P}:8:1: error[unknown-field] unknown field 'stauts' (did you mean 'status'?)"]


def test_missing_nested_field_points_at_its_mapping(matrix_dir: Path):
    found = problems_for(matrix_dir, BASE.replace("  oic: [ICHAD]\n", ""))
    assert found == [f"{P}:6:3: error[missing-field] missing required field 'leads.oic' (add it)"]


@pytest.mark.parametrize(
    "edit, expected",
    [
        (("status: implementation", "status: yes"), "8:9: error[invalid-value] status:"),
        (("source: [50]", "source: ['50']"), "4:10: error[wrong-type] source[0]: expected integer, got '50'"),
        (
            ("planned_end: 2016-Q2", "planned_end: 2016-02-30"),
            "11:16: error[invalid-date] dates.planned_end: '2016-02-30' is not a calendar date",
        ),
        (
            ("planned_end: 2016-Q2", "planned_end: 2016-13"),
            "11:16: error[invalid-date] dates.planned_end: '2016-13' is not a calendar month",
        ),
        (("planned_end: 2016-Q2", "planned_end: 2016-Q5"), "11:16: error[invalid-date]"),
        (("id: HUM-01", "id: hum 1"), "1:5: error[invalid-id] id: 'hum 1' is not a valid activity id"),
        (
            ("title: Plan of Action", "title: {en: Plan, de: Plan}"),
            "2:8: error[invalid-value] title: unknown language 'de'",
        ),
        (("title: Plan of Action", "title: ''"), "2:8: error[invalid-value] title: text is empty"),
    ],
)
def test_bad_values_are_located(matrix_dir: Path, edit, expected):
    found = problems_for(matrix_dir, BASE.replace(*edit))
    assert len(found) == 1 and found[0].startswith(f"{P}:{expected}"), found


@pytest.mark.parametrize("value", ["yes", "true", ".nan", ".inf", "'8'", "1e400"])
def test_numbers_are_strict(matrix_dir: Path, value: str):
    text = BASE + f"indicators:\n  - id: I1\n    title: t\n    unit: u\n    target: {value}\n"
    found = problems_for(matrix_dir, text)
    assert len(found) == 1 and ":16:13: error[" in found[0] and "indicators[0].target" in found[0]


def test_ids_keep_their_written_form(matrix_dir: Path):
    text = BASE + "milestones:\n  - id: 1.10\n    title: t\n    due: 2015-06\n"
    problems_for(matrix_dir, text)
    matrix, problems = load.load(matrix_dir, matrix_dir.parent)
    assert problems == []
    assert matrix.activity_by_id["HUM-01"].value.milestones[0].id == "1.10"


def test_texts_may_be_multilingual(matrix_dir: Path):
    matrix, _ = load.load(matrix_dir, matrix_dir.parent)
    assert matrix.activity_by_id["HUM-01"].value.title == {
        "en": "OIC-OCHA Plan of Action",
        "fr": "Plan d'action OCI-OCHA",
    }


def test_flex_dates_count_to_the_end_of_their_period():
    assert str(FlexDate.parse("2015-06").end) == "2015-06-30"
    assert str(FlexDate.parse("2016-02").end) == "2016-02-29"
    assert str(FlexDate.parse("2015-Q2").end) == "2015-06-30"
    assert str(FlexDate.parse("2015-06-17").end) == "2015-06-17"
    assert Quarter.parse("2014-Q4").next() == Quarter(2015, 1)
    assert Quarter.parse("2015-Q1").previous() == Quarter(2014, 4)


def test_the_vocabulary_types_spell_the_same_words_as_its_tuples():
    import typing

    from uncoop import vocab

    pairs = [
        (vocab.Lang, vocab.LANGS),
        (vocab.Side, vocab.SIDES),
        (vocab.Status, vocab.STATUSES),
        (vocab.FundingStatus, vocab.FUNDING_STATUSES),
        (vocab.Provenance, vocab.PROVENANCES),
        (vocab.FieldProvenance, vocab.FIELD_PROVENANCES),
        (vocab.MarkableField, vocab.MARKABLE_FIELDS),
    ]
    for literal, words in pairs:
        assert typing.get_args(literal) == words
