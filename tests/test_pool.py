"""Reading on every core gives exactly what reading in one process gives."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from uncoop.load import load
from uncoop.store import pool


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A generated Matrix of 200 activities (443 files), a few of them broken."""
    root = tmp_path_factory.mktemp("pool") / "matrix"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), "200", str(root)], check=True)
    files = sorted((root / "activities").rglob("*.yaml"))
    files[3].write_text(files[3].read_text().replace("status:", "stauts:", 1))
    files[7].write_text("id: [unclosed\n")
    files[11].write_text(files[11].read_text().replace("planned_end:", "planned_end: 2015-13 #", 1))
    return root


def loaded(root: Path, workers: str, monkeypatch) -> tuple:
    monkeypatch.setenv("UNCOOP_WORKERS", workers)
    matrix, problems = load(root)
    return (
        [
            (r.path, r.keys, r.value)
            for r in (*matrix.organizations, *matrix.areas, *matrix.activities, *matrix.updates)
        ],
        matrix.meta.value if matrix.meta else None,
        sorted(matrix.unloaded_activities),
        problems,
    )


def test_two_workers_read_what_one_process_reads(corpus, monkeypatch):
    assert pool.workers(443) >= 1 and pool.MIN_FILES < 443
    one = loaded(corpus, "1", monkeypatch)
    two = loaded(corpus, "2", monkeypatch)
    assert len(one[0]) > 400 and len(one[3]) >= 3  # records and the planted errors
    assert two == one


def test_a_file_a_worker_cannot_send_back_is_read_by_the_parent(corpus, monkeypatch):
    from uncoop.store import cache

    real = cache.encode_entry
    calls = []

    def every_other(kind, record, problems, positions=None):
        calls.append(kind)
        return None if len(calls) % 2 else real(kind, record, problems, positions)

    one = loaded(corpus, "1", monkeypatch)
    monkeypatch.setattr(cache, "encode_entry", every_other)
    assert loaded(corpus, "2", monkeypatch) == one


def test_few_files_or_one_core_read_in_one_process(monkeypatch):
    monkeypatch.delenv("UNCOOP_WORKERS", raising=False)
    assert pool.workers(pool.MIN_FILES - 1) == 1
    monkeypatch.setenv("UNCOOP_WORKERS", "1")
    assert pool.workers(10_000) == 1
