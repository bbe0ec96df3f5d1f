"""`uncoop schema`: committed schemas match the models and validate the bundled Matrix."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.conftest import REPO
from uncoop import yamlsrc
from uncoop.schema import schemas

KINDS = {"matrix.yaml": "matrix", "organizations.yaml": "organizations", "areas.yaml": "areas"}


def kind_of(path) -> str:
    rel = path.relative_to(REPO / "matrix")
    return KINDS.get(rel.as_posix()) or ("activity" if rel.parts[0] == "activities" else "update")


def test_committed_schemas_match_the_models(run):
    result = run("schema", "--out", str(REPO / "schemas"), "--check")
    assert result.exit_code == 0, f"stale: {result.stdout} (run: uncoop schema --out schemas)"


def test_schemas_use_only_what_yaml_language_server_reads():
    for name, text in schemas().items():
        assert "prefixItems" not in text and "unevaluated" not in text, name
        jsonschema.Draft7Validator.check_schema(json.loads(text))


@pytest.fixture(scope="module")
def validators():
    return {name.split(".")[0]: jsonschema.Draft7Validator(json.loads(text)) for name, text in schemas().items()}


def test_every_bundled_file_validates_against_its_schema(validators):
    files = sorted((REPO / "matrix").rglob("*.yaml"))
    assert len(files) > 300
    for path in files:
        value, error = yamlsrc.read(path.read_bytes())
        assert error is None
        errors = list(validators[kind_of(path)].iter_errors(value))
        assert errors == [], (path, errors[0].message if errors else None)
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=") and first.endswith(f"{kind_of(path)}.schema.json")


def test_schema_rejects_a_typo_and_a_bad_date(validators):
    value, _ = yamlsrc.read((REPO / "matrix" / "activities" / "humanitarian" / "HUM-01.yaml").read_bytes())
    typo = dict(value, titel=value["title"])
    assert any("titel" in e.message for e in validators["activity"].iter_errors(typo))
    bad = dict(value, dates=dict(value["dates"], planned_end="June 2016"))
    assert list(validators["activity"].iter_errors(bad))


def test_schema_command_prints_one_kind(run):
    doc = json.loads(run("schema", "--kind", "update").stdout)
    assert set(doc["required"]) == {"organization", "period", "submitted"}


def test_a_field_commented_in_the_records_is_described_in_its_schema():
    """The comment above a field in records.py is the description an editor shows (one home)."""
    import json

    organizations = json.loads((REPO / "schemas" / "organizations.schema.json").read_text(encoding="utf-8"))
    contact = organizations["$defs"]["Organization"]["properties"]["contact"]
    assert contact["description"] == "where its reminders go: the To of `uncoop remind --format eml`"
    matrix = json.loads((REPO / "schemas" / "matrix.schema.json").read_text(encoding="utf-8"))
    assert matrix["properties"]["format"]["description"].startswith("the Matrix's file format: 1")
