"""The README states what the code does: every finding code is documented."""

from __future__ import annotations

from tests.conftest import REPO
from uncoop.rules import RULES


def test_readme_lists_every_finding_code_with_its_severity():
    readme = (REPO / "README.md").read_text()
    for rule in RULES.values():
        assert f"| `{rule.code}` | {rule.severity.label} |" in readme, rule.code


def test_readme_setup_commands_are_what_ci_runs():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    block = readme.split("## Set up", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    install, test = block.strip().splitlines()
    assert install in ci and test in ci
