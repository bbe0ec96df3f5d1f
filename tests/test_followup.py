"""Every follow-up rule's examples, run as tests: each Matrix is valid, and the rule finds its
code in it exactly when the example says so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import REPO
from uncoop.catalogue import RULES, examples
from uncoop.check import validate
from uncoop.followup import EXAMPLES, UNITS, example_files
from uncoop.followup import RULES as FOLLOW_UPS
from uncoop.rules import CHECKS
from uncoop.timeline import snapshot


def lay(folder: Path, example) -> Path:
    root = folder / "matrix"
    for name, text in example_files(example.files).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[f"{e.rule.code}-{'finds' if e.finds else 'not'}-{e.as_of}" for e in EXAMPLES]
)
def test_the_example_finds_its_code_exactly_when_it_says(tmp_path, example):
    as_of = date.fromisoformat(example.as_of)
    matrix, problems = validate(lay(tmp_path, example), as_of, tmp_path)
    assert [p.as_text() for p in problems] == []  # a broken example would prove nothing
    found = [f.as_text() for f in snapshot(matrix, as_of).findings if f.code == example.rule.code]
    assert bool(found) is example.finds, (example.said, found)


def test_every_follow_up_rule_has_an_example_of_each_kind():
    for rule in FOLLOW_UPS:
        kinds = {e.finds for e in examples(rule.code)}
        assert kinds == {True, False}, rule.code


def test_the_catalogue_is_the_checks_then_the_follow_ups_each_code_once():
    assert list(RULES) == [*CHECKS, *(r.code for r in FOLLOW_UPS)]
    assert len(RULES) == len(CHECKS) + len(FOLLOW_UPS)
    assert [u.order for u in UNITS] == sorted(u.order for u in UNITS)
    assert all(r.stage == "timeline" for r in FOLLOW_UPS)


def test_a_new_module_in_the_package_is_picked_up(tmp_path):
    """What adding a finding means: one module, and the catalogue, --only and the summary have it."""
    shutil.copytree(REPO / "src" / "uncoop", tmp_path / "uncoop", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "uncoop" / "followup" / "probe.py").write_text(
        "from ..rules import timeline_rule\nfrom ._unit import FollowUp\n"
        'R = timeline_rule("probe-finding", "probe", "probe", ("%(num)d probe", "%(num)d probes"), "red", "a probe")\n'
        "FOLLOW_UP = FollowUp(order=99, rules=(R,), examples=())\n"
    )
    code = "import uncoop.catalogue as c; print(c.__file__, list(c.RULES)[-1], list(c.groups())[-1])"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == [str(tmp_path / "uncoop" / "catalogue.py"), "probe-finding", "probe"]
