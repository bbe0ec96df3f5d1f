"""The finding catalogue is the one source: every code the code can emit is in it, and the
command line, the summary and the terminal read their words from it."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

from tests.conftest import REPO
from uncoop.catalogue import RULES, counted, groups, tally

CODE = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")
# the functions that turn a code into a finding, and comparisons with `.code`
MAKERS = {"finding", "_problem", "YamlError", "fail"}


def emitted_codes(package: Path = REPO / "src" / "uncoop") -> dict[str, str]:
    """code -> where: every code-shaped literal handed to a finding maker or compared with `.code`."""
    found: dict[str, str] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            literals: list[ast.expr] = []
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in MAKERS:
                    literals = [*node.args, *(k.value for k in node.keywords)]
            elif isinstance(node, ast.Compare) and any(
                isinstance(side, ast.Attribute) and side.attr == "code" for side in (node.left, *node.comparators)
            ):
                literals = [node.left, *node.comparators]
                literals += [e for c in node.comparators if isinstance(c, (ast.Tuple, ast.Set)) for e in c.elts]
            for lit in literals:
                if isinstance(lit, ast.Constant) and isinstance(lit.value, str) and CODE.match(lit.value):
                    found.setdefault(lit.value, f"{path.name}:{lit.lineno}")
    return found


def test_every_code_the_source_emits_is_in_the_catalogue():
    codes = emitted_codes()
    assert len(codes) > 30  # the scan sees the real makers, not nothing
    missing = {code: where for code, where in codes.items() if code not in RULES}
    assert missing == {}


def test_a_made_up_code_is_caught_by_the_scan(tmp_path):
    shutil.copytree(REPO / "src" / "uncoop", tmp_path / "uncoop", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "uncoop" / "probe.py").write_text('def f(w):\n    return finding("no-such-code", w, "x")\n')
    assert emitted_codes(tmp_path / "uncoop")["no-such-code"] == "probe.py:2"


def test_only_choices_are_the_catalogue_groups(run):
    result = run("status", "--help")
    assert ",".join(groups()) in "".join(result.stdout.split())
    # the groups people's CI configurations name stay, in this order (a new rule may add one)
    known = ["overdue", "due-soon", "stale", "off-track", "missing", "incomplete", "late", "disputed"]
    assert [g for g in groups() if g in known] == known
    bad = run("status", "--only", "nonsense")
    assert bad.exit_code == 2 and "nonsense" in bad.output


def test_every_timeline_finding_is_selectable_counted_and_labelled():
    for rule in RULES.values():
        if rule.stage == "timeline":
            assert rule.group and rule.label and rule.tally and rule.style, rule.code
    assert {r.code for r in counted()} == {r.code for r in RULES.values() if r.stage == "timeline"}
    assert tally(RULES["missing-report"], 1) == "1 report missing"
    assert tally(RULES["missing-report"], 2) == "2 reports missing"


def test_status_json_counts_every_timeline_finding(run):
    doc = json.loads(run("status", "--as-of", "2016-12-31", "--format", "json").stdout)
    assert list(doc["summary"]["findings"]) == [r.code for r in counted()]
    shown = [f["code"] for f in doc["findings"]]
    for code, n in doc["summary"]["findings"].items():
        assert shown.count(code) == n, code


def test_only_disputed_selects_conflicting_reports(run, matrix_dir):
    update = matrix_dir / "updates" / "2014-Q3" / "ICHAD.yaml"
    update.write_text(update.read_text().replace("    progress: 10", "    progress: 90"))
    doc = json.loads(run("status", "--as-of", "2015-02-15", "--only", "disputed", "--format", "json").stdout)
    assert [a["id"] for area in doc["areas"] for a in area["activities"]] == ["HUM-01"]
    # the 90% also makes the next quarter's 30% a regression: both are in the one group
    assert {f["code"] for f in doc["findings"]} == {"conflicting-reports", "progress-regression"}
    assert doc["summary"]["findings"]["conflicting-reports"] == 2
    table = " ".join(run("status", "--as-of", "2015-02-15", "--only", "disputed").stdout.split())
    assert (
        "1 activity (1 implementation) [1 on track]; 2 conflicting reports, 1 progress regression" in table
    )  # disputed reports are a data gap, not a risk
    assert "reports disagree, progress fell" in table


def test_rules_json_carries_group_and_default():
    from typer.testing import CliRunner

    from uncoop.cli import app

    doc = json.loads(CliRunner().invoke(app, ["rules", "--format", "json"]).stdout)
    by_code = {r["code"]: r for r in doc}
    assert by_code["late-report"]["group"] == "late"
    assert by_code["unfunded-activity"]["enabled"] is False
    assert len(doc) == len(RULES)


def test_rules_code_prints_meaning_severity_group_and_examples(run):
    out = run("rules", "late-report").stdout
    assert out.startswith("late-report: a quarterly report submitted after its due date\n")
    assert "severity  warning" in out and "uncoop status --only late" in out
    assert "Found as of 2014-11-15: OCHA's report for 2014-Q3 submitted 2014-10-31" in out
    assert "Not found as of 2014-11-15: both reports in by 2014-10-30" in out
    assert "    submitted: 2014-10-31" in out  # the example's own file, as written
    locked = run("rules", "duplicate-id").stdout
    assert "cannot be switched off or lowered" in locked and "Examples" not in locked


def test_rules_code_json_carries_the_examples_that_run_as_tests(run):
    from uncoop.catalogue import examples

    doc = json.loads(run("rules", "stale", "--format", "json").stdout)
    assert doc["group"] == "stale"
    assert [(e["finds"], e["as_of"], e["files"]) for e in doc["examples"]] == [
        (e.finds, e.as_of, dict(e.files)) for e in examples("stale")
    ]


def test_an_unknown_rule_code_says_what_was_meant(run):
    result = run("rules", "stal")
    assert result.exit_code == 2
    assert "no finding is called 'stal'" in result.output and "did you mean 'stale'?" in result.output


def test_a_tally_takes_the_form_each_language_counts_by():
    """CLDR's plural rules through the catalogs: French counts 0 as one, Arabic has six forms."""
    from uncoop.i18n import language

    late, fr, ar = RULES["late-report"], language("fr"), language("ar")
    assert [tally(late, n, fr) for n in (0, 1, 2)] == ["0 rapport tardif", "1 rapport tardif", "2 rapports tardifs"]
    assert [tally(late, n, ar) for n in (1, 2, 3, 11, 100)] == [
        "تقرير واحد متأخر",
        "تقريران متأخران",
        "3 تقارير متأخرة",
        "11 تقريرًا متأخرًا",
        "100 تقرير متأخر",
    ]


def test_the_arabic_status_line_agrees_with_its_counts(run):
    line = run("status", "--as-of", "2016-03-31", "--lang", "ar", "--format", "markdown").stdout.splitlines()[4]
    assert line.startswith("60 نشاطًا (")
    assert "؛ 8 أنشطة متأخرة، 14 معلمًا متأخرًا، 3 مواعيد استحقاق قريبة، نشاطان بلا تحديث مؤخرًا" in line
