"""Every `uncoop …` command the README shows is run here on the bundled Matrix, in a copy of the
repository under tmp_path, and the result the README states is checked (a count, an exit code,
a file written).  A command shown with placeholders (BASE, ORG, YOUR-ORG-ID, […]) runs with the
values written beside it in CASES.  The only commands not run here are in ELSEWHERE, each with
the reason; a command added to the README that is in neither fails
`test_every_readme_command_is_run_or_listed`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, Run, commit, git

README = REPO / "README.md"


def readme_commands(text: str) -> list[str]:
    """Each distinct `uncoop …` command of the README, as written: in code blocks (one per line,
    up to a shell operator or comment) and in inline code; generated tables left out."""
    text = re.sub(r"<!-- (\w+): generated.*?<!-- /\1 -->", "", text, flags=re.S)
    found: list[str] = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            found += [m.strip() for m in re.findall(r"(?:\.venv/bin/)?(uncoop [^&#|]*)", line)]
    prose = re.sub(r"```[a-z]*\n.*?```", "", text, flags=re.S)
    found += [" ".join(m.split()) for m in re.findall(r"`((?:for [^`]*?; do )?uncoop [^`]*)`", prose, flags=re.S)]
    return list(dict.fromkeys(found))


class Repo:
    """A copy of the repository's Matrix, schemas and sample reports: commands run inside it."""

    def __init__(self, root: Path, run: Run) -> None:
        self.root, self._run = root, run

    def __call__(self, line: str, code: int | None = 0, **env: str):
        """Run one command line as a shell would split it; check its exit code."""
        argv = shlex.split(line)
        assert argv[0] == "uncoop"
        result = self._run(*argv[1:], env=env or None)
        if code is not None:
            assert result.exit_code == code, (line, result.exit_code, result.output)
        assert "Traceback" not in result.output
        return result

    def git_history(self) -> None:
        """Commit the copy, so that the commands that read git have a history."""
        git(self.root, "init", "-q", "-b", "main")
        commit(self.root, "the bundled Matrix")


@pytest.fixture
def repo(tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch) -> Repo:
    root = tmp_path / "repo"
    for part in ("matrix", "schemas", "reports"):
        shutil.copytree(REPO / part, root / part, ignore=shutil.ignore_patterns(".uncoop-cache"))
    monkeypatch.chdir(root)
    for name in ("UNCOOP_MATRIX", "GITHUB_ACTIONS", "SOURCE_DATE_EPOCH", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"):
        monkeypatch.delenv(name, raising=False)
    return Repo(root, run)


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- the cases: one function per command the README shows --------------------------------


def validate(r: Repo) -> None:  # "checks the bundled matrix/"
    result = r("uncoop validate")
    assert "0 errors" in result.stderr


def validate_gitlab(r: Repo) -> None:
    r("uncoop validate --gitlab gl-code-quality-report.json")
    report = json.loads((r.root / "gl-code-quality-report.json").read_text())
    assert report and {i["severity"] for i in report} <= {"minor", "major", "info"}  # warnings only: it is valid


def validate_whole(r: Repo) -> None:  # PATHS: the file a pre-commit hook would pass
    assert "0 errors" in r("uncoop validate --whole matrix/organizations.yaml").stderr


def validate_require_lang(r: Repo) -> None:  # warns (exit 0) wherever a text lacks French or Arabic
    result = r("uncoop validate --require-lang fr,ar")
    assert "0 errors" in result.stderr


def status_as_of(r: Repo) -> None:  # the dashboard as it stood before the 2016 meeting
    result = r("uncoop status --as-of 2016-03-31")
    assert "HUM-01" in result.stdout and "About the data" in result.stdout


def status_plain(r: Repo) -> None:
    """Without --as-of after the period's end, it says so on stderr and names the --as-of."""
    assert "--as-of 2016-06-30" in r("uncoop status").stderr


def status_later(r: Repo) -> None:
    assert "HUM-01" in r("uncoop status --as-of 2015-12-31").stdout


def status_changed_since(r: Repo) -> None:
    """Only findings in the files changed since BASE (here: HEAD, with HUM-07 edited since)."""
    r.git_history()
    act = r.root / "matrix" / "activities" / "humanitarian" / "HUM-07.yaml"
    act.write_text(act.read_text() + "# touched\n")
    result = r("uncoop status --changed-since HEAD --as-of 2016-03-31 --format json")
    files = {f["path"] for f in json.loads(result.stdout)["findings"]}
    assert files == {"matrix/activities/humanitarian/HUM-07.yaml"}


def plan_as_committed(r: Repo) -> None:
    """On a copy whose history begins after the biennium there is no plan of 2015 to read: exit 2,
    as the README says; in one that kept its Matrix since 2015 it judges by the deadline of then."""
    r.git_history()
    assert (
        "no commit of matrix on or before 2015-06-30"
        in r("uncoop status --as-of 2015-06-30 --plan-as-committed", code=2).stderr
    )
    shutil.rmtree(r.root / ".git")
    git(r.root, "init", "-q", "-b", "main")
    git(r.root, "add", "-A")
    then = {"GIT_COMMITTER_DATE": "2015-01-10T12:00:00", "GIT_AUTHOR_DATE": "2015-01-10T12:00:00"}
    os.environ.update(then)
    try:
        git(r.root, "commit", "-qm", "adopted")
    finally:
        for k in then:
            del os.environ[k]
    act = r.root / "matrix" / "activities" / "humanitarian" / "HUM-07.yaml"
    act.write_text(act.read_text().replace("planned_end: 2015-12", "planned_end: 2015-03"))
    commit(r.root, "a later plan")
    later = json.loads(r("uncoop status --as-of 2015-06-30 --format json").stdout)
    then_ = json.loads(r("uncoop status --as-of 2015-06-30 --plan-as-committed --format json").stdout)
    overdue = lambda doc: {f["message"].split()[0] for f in doc["findings"] if f["code"] == "overdue-activity"}  # noqa: E731
    assert "HUM-07" in overdue(later) and "HUM-07" not in overdue(then_)


def _moved(r: Repo) -> None:
    r.git_history()
    act = r.root / "matrix" / "activities" / "humanitarian" / "HUM-07.yaml"
    act.write_text(act.read_text().replace("planned_end: 2015-12", "planned_end: 2016-06"))
    commit(r.root, "HUM-07 extended")


def diff_base(r: Repo) -> None:  # BASE: the commit before the change
    _moved(r)
    assert "HUM-07" in r("uncoop diff HEAD~1").stdout


def diff_base_head(r: Repo) -> None:
    _moved(r)
    out = r("uncoop diff HEAD~1 HEAD").stdout
    assert "HUM-07" in out and "182" in out  # moved by 182 days, 2015-12-31 to 2016-06-30


def diff_gitlab(r: Repo) -> None:  # the GitLab job's line, with the variable GitLab sets
    _moved(r)
    git(r.root, "update-ref", "refs/remotes/origin/main", "HEAD~1")
    variable = "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"
    line = f'uncoop diff "origin/{variable}"'.replace(variable, "main")
    assert "HUM-07" in r(line).stdout


def schema_out(r: Repo) -> None:  # "a test fails when they drift": the committed schemas are these
    before = _tree(r.root / "schemas")
    r("uncoop schema --out schemas")
    assert _tree(r.root / "schemas") == before


def report_as_of(r: Repo) -> None:
    """Writes reports/progress-report-2016-03-31.md and .html: the committed samples, byte for byte."""
    names = ("progress-report-2016-03-31.md", "progress-report-2016-03-31.html")
    committed = {n: (r.root / "reports" / n).read_bytes() for n in names}
    for name in committed:
        (r.root / "reports" / name).unlink()
    r("uncoop report --as-of 2016-03-31")
    assert {n: (r.root / "reports" / n).read_bytes() for n in committed} == committed


def sample_loop(r: Repo) -> None:
    """The samples' command, Markdown and HTML half: each language's files are the committed ones
    (the PDF half: tests/test_pdf.py, see ELSEWHERE)."""
    before = _tree(r.root / "reports")
    for name in list(before):
        if not name.endswith((".pdf", ".png")):
            (r.root / "reports" / name).unlink()
    for lang in ("en", "fr", "ar"):
        r(f"uncoop report --as-of 2016-03-31 --lang {lang}")
    assert _tree(r.root / "reports") == before


def forms_period(r: Repo) -> None:  # "writes 38 workbooks"
    r("uncoop forms --period 2015-Q3 --out forms/")
    assert len(list((r.root / "forms").glob("*.xlsx"))) == 38


def forms_one(r: Repo) -> None:  # [--org ORG …] [--lang fr]: one workbook, in French
    from openpyxl import load_workbook

    r("uncoop forms --period 2015-Q3 --out forms/ --org OCHA --lang fr")
    (book,) = (r.root / "forms").glob("*.xlsx")
    assert "OCHA" in book.name and "À propos des données" in [c.value for c in load_workbook(book).worksheets[0]["A"]]


def forms_csv(r: Repo) -> None:
    r("uncoop forms --format csv --period 2015-Q3 --org OCHA --out forms/")
    (table,) = (r.root / "forms").glob("*.csv")
    assert "HUM-01" in table.read_text()


def _returned(r: Repo, fmt: str = "xlsx") -> Path:
    """OCHA's 2015-Q3 form with a narrative written on HUM-01, as an institution sends it back
    (OCHA's own 2015-Q3 update removed first, so that the return is new)."""
    from openpyxl import load_workbook

    (r.root / "matrix" / "updates" / "2015-Q3" / "OCHA.yaml").unlink()
    r(f"uncoop forms --period 2015-Q3 --org OCHA --format {fmt} --out forms/")
    (form,) = (r.root / "forms").glob(f"*.{fmt}")
    if fmt == "csv":
        blank = '"HUM-01","","narrative","",""'
        assert blank in form.read_text()
        form.write_text(form.read_text().replace(blank, blank[:-2] + '"Working group met twice."'))
    else:
        book = load_workbook(form)
        book["Report"]["I2"] = "Working group met twice."
        book.save(form)
    return form


def import_glob(r: Repo) -> None:  # forms/returned/*.xlsx, --submitted, --dry-run: nothing written
    form = _returned(r)
    (r.root / "forms" / "returned").mkdir()
    shutil.copy(form, r.root / "forms" / "returned" / form.name)
    before = _tree(r.root / "matrix")
    r(f"uncoop import forms/returned/{form.name} --submitted 2015-10-10 --dry-run")
    assert _tree(r.root / "matrix") == before
    r(f"uncoop import forms/returned/{form.name} --submitted 2015-10-10")
    assert (r.root / "matrix" / "updates" / "2015-Q3" / "OCHA.yaml").exists()


def import_returned(r: Repo) -> None:
    """The worked example: import, then validate and status show the new facts."""
    shutil.copy(_returned(r), r.root / "returned.xlsx")
    r("uncoop import returned.xlsx --submitted 2015-10-10")
    update = (r.root / "matrix" / "updates" / "2015-Q3" / "OCHA.yaml").read_text()
    assert "submitted: 2015-10-10" in update and "Working group met twice." in update
    validate(r)


def import_csv(r: Repo) -> None:
    shutil.copy(_returned(r, "csv"), r.root / "FILE.csv")
    r("uncoop import FILE.csv --submitted 2015-10-10")
    assert (r.root / "matrix" / "updates" / "2015-Q3" / "OCHA.yaml").exists()


def remind_eml(r: Repo) -> None:  # a letter to each institution still owing, its forms attached
    r("uncoop remind --as-of 2016-03-31 --format eml --out letters/")
    letters = sorted((r.root / "letters").glob("*.eml"))
    headers = [p.read_text().split("\n\n", 1)[0].splitlines() for p in letters]
    assert letters and all("X-Unsent: 1" in hs for hs in headers)  # drafts for a person to check and send
    assert any(h.startswith("To:") and "@example.org" in h for hs in headers for h in hs)  # the bundled contacts
    assert any("Content-Disposition: attachment" in p.read_text() for p in letters)


def remind_one(r: Repo) -> None:  # --org WFP --side un --lang fr: one letter, in French
    out = r("uncoop remind --as-of 2016-03-31 --org WFP --side un --lang fr").stdout
    assert "WFP" in out and "À propos des données" in out


def site_out(r: Repo) -> None:  # the tests walk the bundled site's 358 pages
    r("uncoop site --out _site")
    assert len(list((r.root / "_site").rglob("*.html"))) == 358
    assert (r.root / "_site" / "pagefind").is_dir()


def site_plain(r: Repo) -> None:  # default: _site/ in the repository
    r("uncoop site --no-search")
    assert (r.root / "_site" / "index.html").exists()


def _iati(r: Repo, out: str) -> None:
    r(f"uncoop export iati --prefix XM-EXAMPLE --out {out}")
    xml = (r.root / out).read_text()
    assert xml.count("<iati-activity ") == 60 and "<iati-identifier>XM-EXAMPLE-HUM-01</iati-identifier>" in xml


def iati_out(r: Repo) -> None:  # YOUR-ORG-ID: XM-EXAMPLE
    _iati(r, "matrix.iati.xml")


def iati_site(r: Repo) -> None:  # into the site's folder (site_out builds one; here it is made)
    (r.root / "_site").mkdir()
    _iati(r, "_site/matrix.iati.xml")


def iati_plain(r: Repo) -> None:  # --out is required: without it, a usage error
    assert "--out" in r("uncoop export iati", code=2).output


def translation_export(r: Repo) -> None:  # [--from en] [--only missing|all]: every French text
    r("uncoop translation export --lang fr --from en --only all --out fr.xlf")
    assert "<xliff" in (r.root / "fr.xlf").read_text()


def translation_import(r: Repo) -> None:
    """Importing what was exported (every text already in French) changes nothing."""
    translation_export(r)
    before = _tree(r.root / "matrix")
    r("uncoop translation import fr.xlf --dry-run")
    r("uncoop translation import fr.xlf")
    assert _tree(r.root / "matrix") == before


def new_activity(r: Repo) -> None:
    r("uncoop new activity --area humanitarian --title 'Shown in the README' --lead-un OCHA --lead-oic ICHAD")
    assert (r.root / "matrix" / "activities" / "humanitarian" / "HUM-09.yaml").exists()
    validate(r)


def update_set(r: Repo) -> None:
    r("uncoop update OCHA --period 2016-Q1 --set HUM-01.progress=90")
    assert "progress: 90" in (r.root / "matrix" / "updates" / "2016-Q1" / "OCHA.yaml").read_text()
    validate(r)


def update_plain(r: Repo) -> None:  # scaffolds an institution's quarterly update
    r("uncoop update UNITAR --period 2016-Q2 --submitted 2016-07-10")
    assert (r.root / "matrix" / "updates" / "2016-Q2" / "UNITAR.yaml").exists()


def fmt_plain(r: Repo) -> None:  # the bundled Matrix is in house style: nothing changes
    before = _tree(r.root / "matrix")
    r("uncoop fmt")
    assert _tree(r.root / "matrix") == before


def rules(r: Repo) -> None:  # every finding code, then the health rule
    from uncoop.catalogue import RULES

    out = r("uncoop rules").stdout
    assert all(code in out for code in RULES)


def rules_one(r: Repo) -> None:  # one finding, with its examples found and not found
    out = r("uncoop rules stale").stdout
    assert out.startswith("stale: ") and "Found as of" in out and "Not found as of" in out


def help_all(r: Repo) -> None:  # `uncoop COMMAND --help` for every command
    from uncoop.cli.app import COMMANDS

    r("uncoop --help")
    for words, _ in COMMANDS:
        assert "Usage:" in r(f"uncoop {' '.join(words)} --help").stdout


def init_example(r: Repo) -> None:
    """[DIR] [--example] [--folder data/matrix]: a repository of its own that validates; a
    second init writes nothing."""
    r("uncoop init kept --example --folder data/matrix")
    kept = r.root / "kept"
    assert (kept / "data" / "matrix" / "matrix.yaml").exists() and (kept / "uncoop.toml").exists()
    before = _tree(kept)
    r("uncoop init kept --example --folder data/matrix", code=None)
    assert _tree(kept) == before
    os.chdir(kept)
    validate(r)


def init_plain(r: Repo) -> None:
    r("uncoop init fresh")
    assert (r.root / "fresh" / "matrix" / "matrix.yaml").exists()


# what the README shows -> the case that runs it (several may share one)
CASES: dict[str, Callable[[Repo], None]] = {
    "uncoop validate": validate,
    "uncoop status --as-of 2016-03-31": status_as_of,
    "uncoop validate --gitlab gl-code-quality-report.json": validate_gitlab,
    'uncoop diff "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"': diff_gitlab,
    "uncoop export iati": iati_plain,
    "uncoop COMMAND --help": help_all,
    "uncoop --help": help_all,
    "uncoop init": init_plain,
    "uncoop init [DIR] [--example] [--folder data/matrix]": init_example,
    "uncoop status": status_plain,
    "uncoop status --changed-since BASE": status_changed_since,
    "uncoop diff BASE": diff_base,
    "uncoop validate --whole PATHS": validate_whole,
    "uncoop diff BASE [HEAD]": diff_base_head,
    "uncoop schema --out schemas": schema_out,
    "uncoop status --as-of 2015-06-30 --plan-as-committed": plan_as_committed,
    "uncoop update": update_plain,
    "uncoop update --set": update_set,
    "uncoop rules": rules,
    "uncoop rules stale": rules_one,
    "uncoop report": report_as_of,
    "uncoop report --as-of 2016-03-31": report_as_of,
    "uncoop forms": forms_period,
    "uncoop forms --period 2015-Q3 --out forms/": forms_period,
    "uncoop forms --period 2015-Q3 --out forms/ [--org ORG …] [--lang fr]": forms_one,
    "uncoop forms --format csv": forms_csv,
    "uncoop import forms/returned/*.xlsx [--submitted DATE] [--dry-run]": import_glob,
    "uncoop import": import_returned,
    "uncoop import returned.xlsx": import_returned,
    "uncoop import FILE.csv": import_csv,
    "uncoop status --as-of 2015-12-31": status_later,
    "uncoop remind": remind_eml,
    "uncoop remind --as-of 2016-03-31 --format eml --out letters/": remind_eml,
    "uncoop remind --as-of 2016-03-31 [--org ORG …] [--side un|oic] [--lang fr]": remind_one,
    "uncoop site": site_plain,
    "uncoop site --out _site": site_out,
    "uncoop export iati --prefix YOUR-ORG-ID --out matrix.iati.xml": iati_out,
    "uncoop export iati --prefix YOUR-ORG-ID --out _site/matrix.iati.xml": iati_site,
    "uncoop validate --require-lang fr,ar": validate_require_lang,
    "uncoop translation export --lang fr [--from en] [--only missing|all] --out fr.xlf": translation_export,
    "uncoop translation import fr.xlf… [--dry-run]": translation_import,
    "uncoop new activity": new_activity,
    "uncoop fmt": fmt_plain,
    "for l in en fr ar; do uncoop report --as-of 2016-03-31 --lang $l; "
    "uncoop report --as-of 2016-03-31 --lang $l --format pdf; done": sample_loop,
}
# shown in the README, run elsewhere: the command and why not here
ELSEWHERE = {
    "uncoop report --as-of 2016-03-31 --lang $l --format pdf": (
        "the PDF half of the samples' loop: tests/test_pdf.py renders each language's PDF once per "
        "session (WeasyPrint, about a minute a language) and compares it with the committed one"
    ),
}


def test_every_readme_command_is_run_or_listed():
    shown = readme_commands(README.read_text())
    assert len(shown) >= 40
    assert [c for c in shown if c not in CASES and c not in ELSEWHERE] == []
    assert [c for c in CASES if c not in shown] == []  # a case for a command the README no longer shows
    for line in ELSEWHERE:
        assert any(line in c for c in shown), line


def _worked_example() -> list[str]:
    """The commands of the README's worked example, in the order it gives them."""
    text = " ".join(README.read_text().split())
    paragraph = text[text.index("Worked example on the bundled Matrix:") :].split(" The cycle:", 1)[0]
    return re.findall(r"`(uncoop [^`]*)`", paragraph)


def _fill_in(form: Path, returned: Path) -> None:
    """What WFP does with its 2015-Q3 form: the date of its report, no change on PSC-05, and
    SDV-05 moved on to 55% with a narrative."""
    from datetime import datetime

    from openpyxl import load_workbook

    book = load_workbook(form)
    book["Cover"]["B3"] = datetime(2015, 10, 20)
    rows = {row[0].value: row[0].row for row in book["Report"].iter_rows(min_row=2) if row[0].value}
    book["Report"][f"L{rows['PSC-05']}"] = "yes"
    book["Report"][f"H{rows['SDV-05']}"] = 55
    book["Report"][f"I{rows['SDV-05']}"] = "Trainers' course held in Dakar."
    book.save(returned)


@pytest.mark.slow
def test_the_worked_example_runs_as_printed_and_status_shows_the_imported_facts(repo):
    forms, imported, check, status, remind = _worked_example()
    assert forms == "uncoop forms --period 2015-Q3 --out forms/" and imported == "uncoop import returned.xlsx"
    repo(forms)
    wfp = lambda text: next(line.split() for line in text.splitlines() if line.split()[:1] == ["WFP"])  # noqa: E731
    before = wfp(repo(status).stdout)
    _fill_in(repo.root / "forms" / "report-2015-Q3-WFP.xlsx", repo.root / "returned.xlsx")
    repo(imported)
    update = (repo.root / "matrix" / "updates" / "2015-Q3" / "WFP.yaml").read_text()
    assert "submitted: 2015-10-20" in update and "progress: 55" in update and "carried_over_from" in update
    repo(check)
    after = wfp(repo(status).stdout)
    assert before[1:] == ["✗", "✗", "✗", "✗", "✗", "·"] and after[1:] == ["✗", "✗", "✗", "✗", "✓", "·"]
    repo(remind)
    assert (repo.root / "letters").is_dir()


@pytest.mark.slow  # 38 end-to-end runs on the bundled Matrix: about a minute of one core
@pytest.mark.parametrize("case", sorted(set(CASES.values()), key=lambda f: f.__name__), ids=lambda f: f.__name__)
def test_readme_command(repo, case):
    case(repo)
