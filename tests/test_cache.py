"""The record cache: faster re-runs that can never hide an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import cache_shards, edit, hum
from uncoop.store import RecordCache
from uncoop.store import cache as cache_module


def test_warm_run_gives_the_same_answer(matrix_dir, run):
    cold = run("status", "--as-of", "2015-02-15", "--format", "json")
    assert len(cache_shards(matrix_dir.parent)) == 6  # the Matrix's folders: matrix/, 3 areas, 2 quarters
    assert (matrix_dir.parent / ".uncoop-cache" / ".gitignore").read_text().endswith("*\n")
    warm = run("status", "--as-of", "2015-02-15", "--format", "json")
    assert warm.stdout == cold.stdout and warm.exit_code == cold.exit_code


def test_an_edited_file_is_always_checked_again(matrix_dir, run):
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
    edit(hum(matrix_dir), "status: implementation", "stauts: implementation")
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1 and "unknown field 'stauts'" in result.stdout
    edit(hum(matrix_dir), "stauts: implementation", "status: implementation")
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0


def test_cached_problems_come_back_with_their_locations(matrix_dir, run):
    edit(hum(matrix_dir), "partners: [UNHCR]", "partners: [UNHRC]")
    edit(matrix_dir / "activities" / "humanitarian" / "HUM-02.yaml", "status: implementation", "stauts: x")
    first = run("validate", "--as-of", "2016-12-31").stdout
    assert run("validate", "--as-of", "2016-12-31").stdout == first and first.count("\n") == 2


def test_hits_and_misses(matrix_dir):
    from datetime import date

    from uncoop.check import validate

    cache = RecordCache()
    validate(matrix_dir, date(2016, 12, 31), matrix_dir.parent, cache)
    assert (cache.hits, cache.misses) == (0, 10)
    warm = RecordCache.loads(cache.dumps(b"k" * 32), b"k" * 32)
    validate(matrix_dir, date(2016, 12, 31), matrix_dir.parent, warm)
    assert (warm.hits, warm.misses) == (10, 0) and not warm.changed


def test_a_tampered_or_foreign_cache_is_ignored(matrix_dir, run):
    run("validate", "--as-of", "2016-12-31")
    for path in cache_shards(matrix_dir.parent):
        blob = bytearray(path.read_bytes())
        blob[-5] ^= 0xFF
        path.write_bytes(bytes(blob))
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0
    assert RecordCache.loads(b"not a cache", b"k").new == {} and RecordCache.loads(bytes(blob), b"k").old == {}


def test_a_new_version_or_schema_invalidates_the_cache(matrix_dir, run, monkeypatch):
    run("validate", "--as-of", "2016-12-31")
    from uncoop.cli.cached import user_secret

    secret = user_secret()
    shard = cache_shards(matrix_dir.parent)[0]
    assert RecordCache.loads(shard.read_bytes(), secret).old
    monkeypatch.setattr(cache_module, "stamp", lambda: "another version")
    assert RecordCache.loads(shard.read_bytes(), secret).old == {}


def test_no_cache_writes_nothing(matrix_dir, run, monkeypatch):
    assert run("validate", "--no-cache", "--as-of", "2016-12-31").exit_code == 0
    monkeypatch.setenv("UNCOOP_NO_CACHE", "1")
    assert run("status", "--as-of", "2016-12-31", "--format", "json").exit_code == 0
    assert not (matrix_dir.parent / ".uncoop-cache").exists()


def test_cache_dir_can_be_elsewhere(matrix_dir, run, tmp_path, monkeypatch):
    monkeypatch.setenv("UNCOOP_CACHE_DIR", str(tmp_path / "elsewhere"))
    run("validate", "--as-of", "2016-12-31")
    assert list((tmp_path / "elsewhere").glob("records-*.cache"))


def test_positions_of_findings_are_kept_for_the_next_run(matrix_dir, run):
    run("status", "--as-of", "2016-12-31", "--format", "json")
    from uncoop.cli.cached import user_secret

    secret = user_secret()
    with_positions = set()
    for shard in cache_shards(matrix_dir.parent):
        loaded = RecordCache.loads(shard.read_bytes(), secret)
        with_positions |= {
            key[0]
            for key, (start, length) in loaded.old.items()
            if cache_module.decode_entry(key[1], loaded.body[start : start + length]).positions
        }
    assert "matrix/activities/humanitarian/HUM-01.yaml" in with_positions
    before = [(p.name, p.read_bytes(), p.stat().st_mtime_ns) for p in cache_shards(matrix_dir.parent)]
    run("status", "--as-of", "2016-12-31", "--format", "json")
    after = [(p.name, p.read_bytes(), p.stat().st_mtime_ns) for p in cache_shards(matrix_dir.parent)]
    assert after == before  # nothing new to keep: not rewritten


def test_the_stamp_changes_with_any_module_of_the_package(tmp_path):
    import shutil

    from uncoop.store import cache as cache_module

    package = Path(cache_module.__file__).parent.parent  # the whole package, store/ included
    copy = tmp_path / "uncoop"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    before = cache_module.source_digest(copy)
    assert before.hex() == cache_module.stamp()
    (copy / "vocab.py").write_text((copy / "vocab.py").read_text() + "\n# a change\n")
    assert cache_module.source_digest(copy) != before


def _broken(root: Path) -> None:
    """Schema errors, a YAML error, a list file with one bad entry, findings with dates in them."""
    edit(hum(root), "status: implementation", "stauts: implementation")
    (root / "activities" / "humanitarian" / "HUM-09.yaml").write_text("id: [unclosed\n")
    orgs = root / "organizations.yaml"
    orgs.write_text(orgs.read_text().replace("side: un", "side: nowhere", 1))


CORPORA = ["fixture", "fixture-with-errors", "bundled", "generated"]


@pytest.mark.parametrize("corpus", CORPORA)
def test_warm_and_cold_runs_equal_no_cache_on_every_corpus(corpus, tmp_path, run, monkeypatch):
    import shutil
    import subprocess
    import sys

    from tests.conftest import FIXTURE, REPO

    root = tmp_path / "repo" / "matrix"
    if corpus == "generated":
        subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "150", str(root)], check=True)
    else:
        shutil.copytree(REPO / "matrix" if corpus == "bundled" else FIXTURE, root)
    if corpus == "fixture-with-errors":
        _broken(root)
    monkeypatch.chdir(root.parent)
    commands = [
        ("validate", "--as-of", "2016-12-31", "--format", "json"),
        ("status", "--as-of", "2016-03-31", "--format", "json"),
        ("status", "--as-of", "2017-01-01", "--format", "sarif"),
        ("report", "--as-of", "2016-03-31", "--format", "md", "--out", "-"),
    ]
    for command in commands:
        monkeypatch.setenv("UNCOOP_NO_CACHE", "1")  # what --no-cache does, for every command
        fresh = run(*command)
        monkeypatch.delenv("UNCOOP_NO_CACHE")
        cold, warm = run(*command), run(*command)
        assert cache_shards(root.parent)
        for result in (cold, warm):
            assert (result.exit_code, result.stdout) == (fresh.exit_code, fresh.stdout), (corpus, command)


def test_a_save_after_the_file_was_let_go_keeps_unchanged_entries_as_they_were(matrix_dir, run):
    """The loaded cache file is released once the Matrix is read; a later save reads it again
    (checking its signature) for the entries it keeps, or encodes them afresh when another run
    replaced the file meanwhile.  Either way the next run is warm and answers the same."""
    from datetime import date

    from uncoop.check import validate

    secret = b"s" * 32
    cold = RecordCache()
    validate(matrix_dir, date(2016, 12, 31), matrix_dir.parent, cold)
    blob = cold.dumps(secret)
    path = matrix_dir.parent / "records.test"
    path.write_bytes(blob)
    edit(hum(matrix_dir), "status: implementation", "status: finalisation")  # one entry changes
    for replaced in (False, True):
        warm = RecordCache.loads(path.read_bytes(), secret)
        warm.reread = path.read_bytes
        _, problems = validate(matrix_dir, date(2016, 12, 31), matrix_dir.parent, warm)
        assert warm.body is None and warm.changed and (warm.hits, warm.misses) == (9, 1)
        if replaced:
            path.write_bytes(cold.dumps(b"another run's key" + b"x" * 32))
        again = RecordCache.loads(warm.dumps(secret), secret)
        _, problems_again = validate(matrix_dir, date(2016, 12, 31), matrix_dir.parent, again)
        assert (again.hits, again.misses) == (10, 0) and problems_again == problems
        path.write_bytes(blob)


def test_an_edit_rewrites_only_the_shard_of_its_folder(matrix_dir, run):
    run("status", "--as-of", "2016-12-31", "--format", "json")
    before = {p.name: p.read_bytes() for p in cache_shards(matrix_dir.parent)}
    edit(hum(matrix_dir), "status: implementation", "status: finalisation")
    run("status", "--as-of", "2016-12-31", "--format", "json")
    after = {p.name: p.read_bytes() for p in cache_shards(matrix_dir.parent)}
    assert after.keys() == before.keys() and sum(after[n] != before[n] for n in after) == 1
