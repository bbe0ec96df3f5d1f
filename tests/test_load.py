"""Loading a matrix directory: hostile paths and files are refused, located, never raised."""

from __future__ import annotations

import os
from pathlib import Path

from uncoop import load


def codes(root: Path) -> list[tuple[str, str, int, int]]:
    _, problems = load.load(root, root.parent)
    return sorted((p.code, p.location.path, p.location.line, p.location.column) for p in problems)


def test_fixture_loads_clean(matrix_dir: Path):
    matrix, problems = load.load(matrix_dir, matrix_dir.parent)
    assert problems == []
    assert [a.value.id for a in matrix.activities] == ["CPV-01", "DIS-01", "HUM-01", "HUM-02"]
    assert matrix.activity_by_id["HUM-01"].path == "matrix/activities/humanitarian/HUM-01.yaml"
    assert matrix.org_by_id["ICHAD"].keys == ("organizations", 5)


def test_records_locate_their_fields(matrix_dir: Path):
    matrix, _ = load.load(matrix_dir, matrix_dir.parent)
    org = matrix.org_by_id["ICHAD"]
    assert str(matrix.at_now(org)) == "matrix/organizations.yaml:25:5"
    act = matrix.activity_by_id["HUM-01"]
    assert str(matrix.at_now(act, "leads", "oic", 0)) == "matrix/activities/humanitarian/HUM-01.yaml:10:9"


def test_queued_locations_are_resolved_one_parse_per_file(matrix_dir: Path, monkeypatch):
    from uncoop import yamlsrc
    from uncoop.locate import Pending
    from uncoop.problem import Problem, Severity

    matrix, _ = load.load(matrix_dir, matrix_dir.parent)
    act = matrix.activity_by_id["HUM-01"]
    parsed = []
    real = yamlsrc.positions
    monkeypatch.setattr(yamlsrc, "positions", lambda data: parsed.append(1) or real(data))
    queued = [
        Problem(matrix.at(act, *keys), Severity.WARNING, "stale", "x")
        for keys in (("id",), ("milestones", 1, "due"), ("dates", "planned_end"))
    ]
    assert all(isinstance(p.location, Pending) and str(p.location) == act.path for p in queued)  # never "file:0:n"
    resolved = matrix.resolve(queued)
    assert [str(p.location) for p in resolved] == [
        "matrix/activities/humanitarian/HUM-01.yaml:1:5",
        "matrix/activities/humanitarian/HUM-01.yaml:22:10",
        "matrix/activities/humanitarian/HUM-01.yaml:15:16",
    ]
    assert len(parsed) == 1
    assert str(matrix.at(act, "id")) == "matrix/activities/humanitarian/HUM-01.yaml:1:5"  # known now: at once


def test_oversized_file_is_refused_before_parsing(matrix_dir: Path):
    big = matrix_dir / "activities" / "humanitarian" / "HUM-09.yaml"
    big.write_bytes(b"title: " + b"x" * (load.MAX_BYTES + 1) + b"\n")
    assert ("unsafe-path", "matrix/activities/humanitarian/HUM-09.yaml", 1, 1) in codes(matrix_dir)


def test_fifo_is_refused_without_blocking(matrix_dir: Path):
    os.mkfifo(matrix_dir / "activities" / "humanitarian" / "HUM-09.yaml")
    assert ("unsafe-path", "matrix/activities/humanitarian/HUM-09.yaml", 1, 1) in codes(matrix_dir)


def test_symlink_outside_the_matrix_is_refused(matrix_dir: Path, tmp_path: Path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: HUM-09\n")
    (matrix_dir / "activities" / "humanitarian" / "HUM-09.yaml").symlink_to(secret)
    assert ("unsafe-path", "matrix/activities/humanitarian/HUM-09.yaml", 1, 1) in codes(matrix_dir)


def test_symlink_inside_the_matrix_is_followed(matrix_dir: Path):
    target = matrix_dir / "activities" / "humanitarian" / "HUM-02.yaml"
    (matrix_dir / "activities" / "conflict" / "HUM-02.yaml").symlink_to(target)
    found = codes(matrix_dir)
    assert all(code != "unsafe-path" for code, *_ in found)
    assert ("duplicate-id", "matrix/activities/humanitarian/HUM-02.yaml", 1, 5) not in found


def test_symlink_loops_are_refused(matrix_dir: Path):
    folder = matrix_dir / "activities" / "humanitarian"
    (folder / "HUM-08.yaml").symlink_to(folder / "HUM-09.yaml")
    (folder / "HUM-09.yaml").symlink_to(folder / "HUM-08.yaml")
    (matrix_dir / "activities" / "loop").symlink_to(matrix_dir / "activities")
    found = codes(matrix_dir)
    assert ("unsafe-path", "matrix/activities/humanitarian/HUM-08.yaml", 1, 1) in found
    assert ("unsafe-path", "matrix/activities/humanitarian/HUM-09.yaml", 1, 1) in found
    assert ("unsafe-path", "matrix/activities/loop", 1, 1) in found


def test_unknown_files_and_yml_are_reported(matrix_dir: Path):
    (matrix_dir / "notes.yaml").write_text("a: 1\n")
    (matrix_dir / "activities" / "humanitarian" / "HUM-03.yml").write_text("a: 1\n")
    (matrix_dir / "README.md").write_text("prose is fine\n")
    found = codes(matrix_dir)
    assert ("unknown-file", "matrix/notes.yaml", 1, 1) in found
    assert ("unknown-file", "matrix/activities/humanitarian/HUM-03.yml", 1, 1) in found
    assert len(found) == 2


def test_empty_and_non_mapping_files(matrix_dir: Path):
    (matrix_dir / "activities" / "humanitarian" / "HUM-03.yaml").write_text("# nothing yet\n")
    (matrix_dir / "activities" / "humanitarian" / "HUM-04.yaml").write_text("- a\n- b\n")
    found = codes(matrix_dir)
    assert ("empty-file", "matrix/activities/humanitarian/HUM-03.yaml", 1, 1) in found
    assert ("wrong-type", "matrix/activities/humanitarian/HUM-04.yaml", 1, 1) in found


def test_missing_matrix_yaml(matrix_dir: Path):
    (matrix_dir / "matrix.yaml").unlink()
    assert ("missing-file", "matrix/matrix.yaml", 1, 1) in codes(matrix_dir)


def test_find_matrix_searches_upward(matrix_dir: Path):
    deep = matrix_dir / "activities" / "humanitarian"
    assert load.find_matrix(deep) == matrix_dir.resolve()
    assert load.find_matrix(matrix_dir.parent) == matrix_dir.resolve()
    assert load.find_matrix(Path("/")) is None
