"""Attacks a pull request can make on the CI job, each performed as the attacker would.

The repository under review is untrusted: its files, names, symlinks and git objects are chosen
by whoever opened the pull request.  Each test plants the attack in a scratch repository and
asserts that nothing outside it changed, no code ran, and the output stayed text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import re
import struct
import subprocess
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.conftest import UNCOOP, cache_shards, commit, edit, git, hum
from uncoop.store import cache as cache_module

CANARY_NAME = "uncoop-canary"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (links not followed), for asserting nothing changed."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(folder))] = path.read_bytes()
    return found


def key_path() -> Path:
    return Path(os.environ["XDG_CACHE_HOME"]) / "uncoop" / "cache-key"


class Boom:
    """A pickle that runs code when loaded: it would create the canary file."""

    def __init__(self, canary: Path):
        self.canary = canary

    def __reduce__(self):
        return (os.system, (f"touch {self.canary}",))


def forged_cache(secret: bytes, canary: Path) -> bytes:
    """A cache in uncoop's own layout and signed with the real key, whose entries are pickles of
    `Boom` (and, for the old layout's readers, whose whole body is one)."""
    entry = pickle.dumps(Boom(canary))
    head = json.dumps(
        {"stamp": cache_module.stamp(), "files": [["matrix/matrix.yaml", "matrix", "00" * 20, 0, len(entry)]]}
    ).encode()
    body = struct.pack(">I", len(head)) + head + entry
    return cache_module.MAGIC + cache_module.sign(secret, body) + body


# --- the program door: Pagefind and git start in an empty folder with an allow-listed environment


def test_a_committed_pagefind_yml_cannot_name_a_log_file_or_an_output_elsewhere(repo, tmp_path_factory):
    """pagefind.yml in the repository (the working directory) asked Pagefind to log into a `.pth`
    file, which the next Python process would run, and to write the search bundle elsewhere."""
    outside = tmp_path_factory.mktemp("outside")
    settings = f"logfile: {outside / 'zz.pth'}\noutput_path: {outside / 'bundle'}\n"
    (repo / "pagefind.yml").write_text(settings)
    (repo / "_site").mkdir()
    (repo / "_site" / "pagefind.yml").write_text(settings)
    env = {**os.environ, "PAGEFIND_LOGFILE": str(outside / "env.pth"), "PAGEFIND_OUTPUT_PATH": str(outside / "e")}
    done = subprocess.run(
        [UNCOOP, "site", "--as-of", "2016-03-31", "--out", "_site"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert list(outside.iterdir()) == []  # no log, no bundle, nothing
    assert (repo / "_site" / "pagefind" / "pagefind-ui.js").is_file()


def test_git_runs_no_hook_from_the_users_or_the_repositorys_configuration(repo, tmp_path_factory, monkeypatch):
    """core.fsmonitor names a program git runs even for `git diff`: from ~/.gitconfig or the
    repository's own config it would run on every `--changed-since`."""
    outside = tmp_path_factory.mktemp("outside")
    hook = outside / "hook"
    hook.write_text(f"#!/bin/sh\ntouch {outside / CANARY_NAME}\nexit 1\n")
    hook.chmod(0o755)
    home = outside / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(f"[core]\n\tfsmonitor = {hook}\n")
    git(repo, "config", "core.fsmonitor", str(hook))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_DIR", str(outside))  # nor may the caller's environment point git elsewhere
    done = subprocess.run([UNCOOP, "validate", "--changed-since", "HEAD"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert not (outside / CANARY_NAME).exists()


def test_a_program_sees_only_the_allow_listed_environment(monkeypatch):
    from uncoop.run import run

    monkeypatch.setenv("PYTHONPATH", "/nowhere")
    monkeypatch.setenv("PAGEFIND_SITE", "/nowhere")
    done = run(["env"])
    seen = dict(line.split("=", 1) for line in done.out.decode().splitlines())
    assert "PYTHONPATH" not in seen and "PAGEFIND_SITE" not in seen
    assert seen["GIT_CONFIG_GLOBAL"] == os.devnull and seen["LC_ALL"] == "C.UTF-8"
    where = run(["sh", "-c", 'pwd; echo "$HOME"; ls -A']).out.decode().splitlines()
    assert where[0] == where[1] and where[2:] == []  # its own empty folder, which is also its home


def test_a_pull_request_cannot_switch_off_the_errors_it_brings(matrix_dir, run):
    """`rules: {unknown-organization: off, duplicate-id: off}` beside the very errors it would hide."""
    orgs = matrix_dir / "organizations.yaml"
    orgs.write_text(orgs.read_text() + "  - id: DPA\n    name: Again\n    side: un\n    kind: department\n")
    edit(matrix_dir / "activities" / "conflict" / "CPV-01.yaml", "un: [DPA]", "un: [NOPE]")
    honest = json.loads(run("validate", "--format", "json").stdout)
    codes = {p["code"] for p in honest["problems"]}
    assert {"unknown-organization", "duplicate-id"} <= codes
    (matrix_dir / "matrix.yaml").write_text(
        (matrix_dir / "matrix.yaml").read_text()
        + "rules:\n  unknown-organization: off\n  duplicate-id: warning\n  stale: off\n  due-soon: error\n"
    )
    result = run("validate", "--format", "json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)["problems"]
    errors = {p["code"] for p in found if p["severity"] == "error"}
    assert {"unknown-organization", "duplicate-id"} <= errors  # still errors
    refused = [p for p in found if p["code"] == "invalid-value" and "cannot set it" in p["message"]]
    assert sorted(p["message"].split("'")[1] for p in refused) == ["duplicate-id", "unknown-organization"]
    assert all(p["path"].endswith("matrix.yaml") and p["line"] > 1 for p in refused)


def test_validate_of_a_file_outside_the_matrix_is_a_usage_error_not_an_all_clear(matrix_dir, run):
    result = run("validate", "/etc/passwd")
    assert result.exit_code == 2 and "not in the Matrix" in result.stderr and "0 errors" not in result.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "gitlab"])
def test_a_file_name_that_is_not_utf8_is_a_finding_in_every_format(repo, fmt):
    """Byte 0xFF or ESC in a committed file name: a located finding, never a traceback."""
    odd = os.fsencode(repo / "matrix" / "activities" / "conflict") + b"/\xff.yaml"
    with open(odd, "wb") as handle:
        handle.write(b"id: X\n")
    (repo / "matrix" / "updates" / "a\x1bb").mkdir()
    for _ in range(2):  # the second run reads the cache the first saved
        done = subprocess.run([UNCOOP, "validate", "--format", fmt], cwd=repo, capture_output=True)
        assert done.returncode == 1, done.stderr
        out = (done.stdout + done.stderr).decode("utf-8")  # every byte is UTF-8
        assert "internal error" not in out and "Traceback" not in out and "\x1b" not in out
        assert "\\xff.yaml" in out or "\\\\xff.yaml" in out


# --- the read door for --templates, and the sandbox's budgets


def report_with(folder: Path, run, *extra: str):
    return run("report", "--as-of", "2016-03-31", "--format", "md", "--out", "-", "--templates", str(folder), *extra)


@pytest.mark.parametrize("how", ["file", "included", "folder", "named"])
def test_templates_never_read_through_a_link(matrix_dir, run, tmp_path_factory, how):
    """A template folder linking to a secret (the cache key, ~/.ssh, /etc/passwd) would print it."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret").write_text("SECRET-KEY-MATERIAL\n")
    (outside / "html").mkdir()
    (outside / "html" / "summary.html.j2").write_text("SECRET-KEY-MATERIAL\n")
    (outside / "report.md.j2").write_text("SECRET-KEY-MATERIAL\n")
    folder = matrix_dir.parent / "tpl"
    folder.mkdir()
    if how == "file":
        (folder / "report.md.j2").symlink_to(outside / "secret")
    elif how == "included":
        (folder / "report.md.j2").write_text('{% include "key" %}\n')
        (folder / "key").symlink_to(outside / "secret")
    elif how == "folder":
        (folder / "report.md.j2").write_text('{% include "html/summary.html.j2" %}\n')
        (folder / "html").symlink_to(outside / "html")
    else:
        folder.rmdir()
        folder.symlink_to(outside)
    result = report_with(folder, run)
    assert result.exit_code == 2, result.output
    assert "link" in result.stderr and "SECRET" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr


def test_a_template_that_is_not_utf8_is_named_not_an_internal_error(matrix_dir, run, tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "report.md.j2").write_bytes(b"caf\xe9 {{ r.title }}\n")
    result = report_with(folder, run)
    assert result.exit_code == 2
    assert "report.md.j2: byte 3 is not UTF-8" in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize(
    "template",
    [
        "{{ 'a' * 10 ** 9 }}",
        "{{ ['a'] * 10 ** 9 }}",
        "{{ lipsum(2000000) }}",
        "{{ 'x' | center(10 ** 9) }}",
        "{{ 'x'.ljust(10 ** 9) }}",
        "{{ 7 ** 999999999 }}",  # Jinja reads 9 ** 9 ** 9 as (9 ** 9) ** 9
        "{% for i in range(99999) %}{{ 'a' * 999999 }}{% endfor %}",  # the document's size
        # doubling a text escapes every count: the memory budget stops it
        "{% set ns = namespace(s='a' * 999999) %}{% for i in range(14) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
        "{{ ns.s | length }}",
    ],
)
def test_a_template_cannot_spend_gigabytes_or_minutes(matrix_dir, run, tmp_path, template):
    import resource

    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "report.md.j2").write_text(template + "\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = report_with(folder, run)
    assert result.exit_code == 2 and "template error" in result.stderr and "limit" in result.stderr, result.stderr
    assert len(result.stdout) < 40 << 20
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before  # KiB
    assert grown < 1_200_000  # under the 1 GB budget (and its rounding), never the gigabytes asked for
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY or grown >= 0  # limit restored


def test_a_template_cannot_spend_minutes_of_processor_time(matrix_dir, run, tmp_path, monkeypatch):
    import resource

    from uncoop import render

    monkeypatch.setattr(render, "SECONDS", 1.0)  # the real budget, shortened so the test is quick
    folder = tmp_path / "tpl"
    folder.mkdir()
    loops = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"  # 10**10 turns
    (folder / "report.md.j2").write_text(loops + "\n")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    result = report_with(folder, run)
    assert result.exit_code == 2 and "s of processor time; that is the limit" in result.stderr, result.stderr
    assert resource.getrusage(resource.RUSAGE_SELF).ru_utime - before < 30  # stopped, not hours
    (folder / "report.md.j2").write_text("{{ r.lang }}\n")  # the budget is the templates' only
    assert report_with(folder, run).exit_code == 0


def test_the_pdf_reports_a_templates_error_as_the_other_formats_do(matrix_dir, run, tmp_path):
    pytest.importorskip("weasyprint")
    folder = tmp_path / "tpl"
    folder.mkdir()
    (folder / "report.html.j2").write_text("{{ 'a' * 10 ** 9 }}\n")
    result = run(
        "report",
        "--as-of",
        "2016-03-31",
        "--format",
        "pdf",
        "--out",
        str(tmp_path / "r.pdf"),
        "--templates",
        str(folder),
    )
    assert result.exit_code == 2 and "template error" in result.stderr and not (tmp_path / "r.pdf").exists()


def legacy_pickle_cache(secret: bytes, canary: Path) -> bytes:
    """The previous release's cache file: a pickle signed with HMAC-SHA256."""
    body = pickle.dumps(("stamp", {("x", "y", b"z"): Boom(canary)}))
    return b"uncoop-cache-1\n" + hmac.new(secret, body, hashlib.sha256).digest() + body


def test_the_sarif_symlink_and_planted_cache_chain_runs_no_code(repo, run, tmp_path):
    """The chain of the issue: a committed `uncoop.sarif` link to the signing key, a dangling
    `.uncoop-cache/.gitignore` link so saves fail, and a planted pickle signed with the key."""
    assert run("validate", "--as-of", "2016-12-31").exit_code == 0  # the key exists, as on a runner
    key = key_path()
    before_key = key.read_bytes()
    outside = snapshot(key.parent)
    canary = tmp_path / CANARY_NAME
    (repo / "uncoop.sarif").symlink_to(key)
    cache_dir = repo / ".uncoop-cache"
    (cache_dir / ".gitignore").unlink()
    (cache_dir / ".gitignore").symlink_to("/nonexistent/uncoop-gitignore")
    for shard in cache_shards(repo):
        shard.write_bytes(forged_cache(before_key, canary))
    (cache_dir / "records.pickle").write_bytes(legacy_pickle_cache(before_key, canary))

    result = run("validate", "--as-of", "2016-12-31", "--sarif", "uncoop.sarif")
    assert result.exit_code == 2 and "uncoop.sarif" in result.stderr and "symlink" in result.stderr
    status = run("status", "--as-of", "2016-03-31", "--format", "github", "--fail-on", "error")
    fresh = run("status", "--as-of", "2016-03-31", "--format", "github", "--fail-on", "error", "--no-cache")
    assert status.stdout == fresh.stdout and status.exit_code == fresh.exit_code
    assert not canary.exists() and (cache_dir / ".gitignore").is_symlink()
    assert key.read_bytes() == before_key and snapshot(key.parent) == outside


def test_a_cache_that_cannot_be_used_is_said_once(matrix_dir, run, tmp_path):
    fresh = run("status", "--as-of", "2016-03-31", "--format", "json", "--no-cache")
    target = tmp_path.parent / f"{tmp_path.name}-cache-target"
    target.write_bytes(b"not yours")
    assert run("status", "--as-of", "2016-03-31", "--format", "json").exit_code == 0
    shards = cache_shards(matrix_dir.parent)
    for shard in shards:
        shard.unlink()
        shard.symlink_to(target)
    result = run("status", "--as-of", "2016-03-31", "--format", "json")
    assert result.stdout == fresh.stdout and result.stderr.count("uncoop: cache not used") == 1
    assert target.read_bytes() == b"not yours" and all(s.is_symlink() for s in shards)


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"garbage",
        cache_module.MAGIC + b"\0" * 40,
        cache_module.MAGIC + os.urandom(5000),
    ],
)
def test_a_cache_of_any_bytes_changes_nothing(matrix_dir, run, blob):
    fresh = run("status", "--as-of", "2016-03-31", "--format", "json", "--no-cache")
    run("status", "--as-of", "2016-03-31", "--format", "json")
    for shard in cache_shards(matrix_dir.parent):
        shard.write_bytes(blob)
    assert run("status", "--as-of", "2016-03-31", "--format", "json").stdout == fresh.stdout


def test_a_malicious_pickle_signed_with_the_real_key_runs_no_code(matrix_dir, run, tmp_path):
    fresh = run("status", "--as-of", "2016-03-31", "--format", "json")
    canary = tmp_path / CANARY_NAME
    shards = cache_shards(matrix_dir.parent)
    for shard in shards:
        shard.write_bytes(forged_cache(key_path().read_bytes(), canary))
    assert run("status", "--as-of", "2016-03-31", "--format", "json").stdout == fresh.stdout
    assert not canary.exists()
    shards[0].with_name("records.pickle").write_bytes(legacy_pickle_cache(key_path().read_bytes(), canary))
    assert run("status", "--as-of", "2016-03-31", "--format", "json").stdout == fresh.stdout
    assert not canary.exists()


def test_no_module_of_uncoop_can_unpickle():
    """The cache is JSON values rebuilt by field type (codec.py): no pickle, marshal or shelve."""
    import ast

    from tests.conftest import REPO

    found = []
    for path in (REPO / "src" / "uncoop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [(path.name, n) for n in names if n.split(".")[0] in ("pickle", "marshal", "shelve", "dill")]
    assert found == []


def test_a_short_or_linked_key_is_remade_never_trusted(matrix_dir, run, tmp_path):
    key = key_path()
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_bytes(b"short")
    os.chmod(key, 0o600)
    run("validate", "--as-of", "2016-12-31")
    assert len(key.read_bytes()) >= 32 and (key.stat().st_mode & 0o777) == 0o600
    elsewhere = tmp_path / "predictable"
    elsewhere.write_bytes(b"p" * 64)
    key.unlink()
    key.symlink_to(elsewhere)
    run("validate", "--as-of", "2016-12-31")
    assert not key.is_symlink() and key.read_bytes() != b"p" * 64 and elsewhere.read_bytes() == b"p" * 64


@pytest.mark.parametrize(
    "command",
    [
        ["validate", "--as-of", "2016-12-31", "--gitlab", "out/gl.json"],
        ["calendar", "--as-of", "2016-03-31", "--out", "out/deadlines.ics"],
        ["report", "--as-of", "2016-03-31", "--out", "out"],
        ["schema", "--out", "out"],
    ],
)
def test_outputs_never_leave_through_a_committed_symlinked_folder(repo, run, tmp_path, command):
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    (repo / "out").symlink_to(elsewhere)
    result = run(*command)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "outside" in result.stderr or "symlink" in result.stderr
    assert list(elsewhere.iterdir()) == []


def test_report_cannot_overwrite_a_python_startup_file_through_a_link(matrix_dir, run, tmp_path):
    site = tmp_path.parent / f"{tmp_path.name}-site-packages"
    site.mkdir()
    pth = site / "evil.pth"
    pth.write_text("# untouched\n")
    reports = matrix_dir.parent / "reports"
    reports.mkdir()
    (reports / "progress-report-2016-03-31.html").symlink_to(pth)
    result = run("report", "--as-of", "2016-03-31", "--format", "html")
    assert result.exit_code == 2 and "symlink" in result.stderr
    assert pth.read_text() == "# untouched\n"


def test_editing_commands_refuse_linked_out_folders(matrix_dir, run, tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    (outside / "2015-Q1").mkdir(parents=True)
    (outside / "humanitarian").mkdir()
    before = snapshot(outside)
    (matrix_dir / "updates" / "2015-Q1").symlink_to(outside / "2015-Q1")
    result = run("update", "OCHA", "--period", "2015-Q1", "--submitted", "2015-04-10")
    assert result.exit_code == 2 and "symlinked folder" in result.stderr
    shutil_area = matrix_dir / "activities" / "humanitarian"
    for path in shutil_area.iterdir():
        path.unlink()
    shutil_area.rmdir()
    shutil_area.symlink_to(outside / "humanitarian")
    result = run(
        "new",
        "activity",
        "--area",
        "humanitarian",
        "--title",
        "T",
        "--lead-un",
        "OCHA",
        "--lead-oic",
        "ICHAD",
        "--start",
        "2015-01",
        "--end",
        "2015-12",
    )
    assert result.exit_code == 2
    assert snapshot(outside) == before and sorted(p.name for p in outside.rglob("*")) == ["2015-Q1", "humanitarian"]


def test_git_trees_with_unsafe_names_are_refused(repo, run, tmp_path):
    """A tree with a `..` entry, as a pull request fetched without fsck can carry."""
    blob = git(repo, "hash-object", "-w", "--stdin", input="owned\n").strip()
    evil = git(repo, "mktree", input=f"100644 blob {blob}\t..\n").strip()
    matrix_tree = git(repo, "rev-parse", "HEAD:matrix").strip()
    listing = git(repo, "ls-tree", matrix_tree)
    updates = git(repo, "mktree", input=f"040000 tree {evil}\tx\n").strip()
    new_matrix = git(repo, "mktree", input=listing + f"040000 tree {updates}\tzz\n").strip()
    top = git(repo, "mktree", input=f"040000 tree {new_matrix}\tmatrix\n").strip()
    rev = git(repo, "commit-tree", top, "-p", "HEAD", "-m", "crafted", input="").strip()
    result = run("diff", rev, "--as-of", "2016-03-31")
    assert result.exit_code == 2 and "not a safe path" in result.stderr
    assert "Traceback" not in result.stderr and not list(tmp_path.parent.glob("owned*"))


def test_hostile_keys_and_file_names_stay_text_in_every_format(matrix_dir, run, monkeypatch, tmp_path):
    evil_name = "\x1b[31m\n::error::spoofed\n"
    (matrix_dir / "activities" / "humanitarian" / f"{evil_name}.yaml").write_text("id: X\n")
    edit(hum(matrix_dir), "status: implementation", 'status: implementation\n"k\\e\\n::add-mask::x": 1')
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    outputs = []
    for fmt in ("text", "json", "github", "sarif", "gitlab"):
        result = run("validate", "--as-of", "2016-12-31", "--format", fmt)
        assert result.exit_code == 1
        outputs.append(result.stdout + result.stderr)
    for fmt in ("json", "markdown", "github", "table"):
        result = run("status", "--as-of", "2016-03-31", "--format", fmt)
        outputs.append(result.stdout + result.stderr)
    outputs.append(summary.read_text())
    for text in outputs:
        assert "\x1b" not in text
        lines = text.splitlines()
        assert not [line for line in lines if re.match(r"\s*::(add-mask|set-output|error::spoofed)", line)]
    github = outputs[2].splitlines()
    assert all(line.startswith(("::error ", "::warning ")) for line in github if line.startswith("::"))
    assert any("control character" in text or "control-character" in text for text in outputs)


LINKS = "[Click](https://evil.example) ![x](https://evil.example/p.png) <https://evil.example/a> www.evil.example"


def _links(markdown: str) -> list[str]:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    found = []
    for token in tokens:
        for child in token.children or []:
            if child.type in ("link_open", "image"):
                found.append(child.attrGet("href") or child.attrGet("src"))
    return found


def test_markdown_shows_data_literally_in_every_document(repo, run, monkeypatch):
    update = repo / "matrix" / "updates" / "2014-Q3" / "OCHA.yaml"
    edit(update, "narrative: Terms of reference", f"narrative: '{LINKS} Terms of reference")
    edit(update, "with ICHAD.", "with ICHAD.'")
    edit(
        hum(repo / "matrix"),
        "  en: OIC-OCHA Plan of Action",
        "  en: '[T](https://evil.example) `x` ![i](https://e.x/p)'",
    )
    docs = [
        run("report", "--as-of", "2016-03-31", "--format", "md", "--out", "-").stdout,
        run("status", "--as-of", "2016-03-31", "--format", "markdown").stdout,
    ]
    commit(repo, "hostile text")
    edit(hum(repo / "matrix"), "planned_end: 2016-Q2", "planned_end: 2016-12")
    docs.append(run("diff", "HEAD", "--as-of", "2016-03-31").stdout)
    docs.append(run("history", "HUM-01").stdout)
    assert "evil.example" in docs[0] and "evil.example" in docs[1]
    for doc in docs:
        assert [link for link in _links(doc) if "evil" in link or "e.x" in link] == []


def test_mermaid_task_names_cannot_start_a_statement(matrix_dir, run):
    for hostile in ("click hum01 call alert(1)", "%%{init: {'theme': 'dark'}}%%", "section Owned", "title Owned"):
        edit(hum(matrix_dir), hum(matrix_dir).read_text().split("\n")[2], f'  en: "{hostile}"')
        md = run("report", "--as-of", "2016-03-31", "--format", "md", "--out", "-").stdout
        gantt = md.split("```mermaid", 1)[1].split("```", 1)[0]
        tasks = [line.strip() for line in gantt.splitlines()[4:] if line.strip()]
        assert all(re.match(r"[A-Z]{2,4}-\d+ ", task) for task in tasks), tasks
        assert "%%" not in gantt and "{" not in gantt


def test_a_link_url_cannot_break_out_of_its_brackets(matrix_dir):
    from uncoop.markup import safe_url

    url = safe_url('https://ok.example/a> [x](https://evil.example) <b "q"')
    assert url is not None and not set(url) & set('<> "')


GRID_BOMB = {
    "matrix.yaml": ("  start: 2014-07-01\n  end: 2016-06-30", "  start: 0001-01-01\n  end: 9999-12-31"),
}


def test_the_grid_bomb_is_refused_with_a_located_error(matrix_dir, run):
    edit(matrix_dir / "matrix.yaml", "  start: 2014-07-01\n  end: 2016-06-30", "  start: 1900-01-01\n  end: 2199-12-31")
    edit(matrix_dir / "matrix.yaml", "first_period: 2014-Q3", "first_period: 1900-Q1")
    edit(hum(matrix_dir), "planned_start: 2014-07", "planned_start: 1900-01")
    edit(hum(matrix_dir), "planned_end: 2016-Q2", "planned_end: 2199-12")
    result = run("validate", "--as-of", "2199-12-31")
    assert result.exit_code == 1
    assert re.search(r"matrix/matrix\.yaml:\d+:\d+: error\[period-too-long\]", result.stdout)
    for command in (["status", "--format", "json"], ["calendar"], ["report", "--format", "md", "--out", "-"]):
        done = subprocess.run(
            [UNCOOP, *command, "--as-of", "2199-12-31"], capture_output=True, timeout=60, cwd=matrix_dir.parent
        )
        assert b"Traceback" not in done.stderr and done.returncode in (0, 1)
    edit(matrix_dir / "matrix.yaml", "  start: 1900-01-01", "  start: 0001-01-01")
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1 and "error[invalid-date]" in result.stdout and "0001-01-01" in result.stdout


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe not utf-8\n",
        b"- a list\n",
        b"just text\n",
        b"",
        b"organization: OCHA\nentries: text\n",
        b"organization: OCHA\nentries: {a: 1}\n",
    ],
)
def test_update_on_a_broken_existing_file_is_located_not_a_traceback(matrix_dir, run, content):
    path = matrix_dir / "updates" / "2014-Q4" / "OCHA.yaml"
    path.write_bytes(content)
    result = run("update", "OCHA", "--period", "2014-Q4", "--set", "HUM-01.progress=50")
    assert result.exit_code in (1, 2) and "Traceback" not in result.stderr + result.stdout
    assert "updates/2014-Q4/OCHA.yaml" in result.stderr and path.read_bytes() == content


@pytest.mark.parametrize(
    "args",
    [
        ["update", "OCHA", "--period", "0000-Q1"],
        ["status", "--as-of", "9999-12-31"],
        ["status", "--as-of", "0001-01-01"],
        ["calendar", "--as-of", "9999-12-31"],
    ],
)
def test_out_of_range_dates_are_usage_errors(matrix_dir, run, args):
    result = run(*args)
    assert result.exit_code == 2 and result.stderr.startswith("uncoop: ") and "Traceback" not in result.stderr


def test_a_failing_git_is_a_message_not_a_traceback(repo, run, monkeypatch, tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    real_git = subprocess.run(["which", "git"], capture_output=True, text=True).stdout.strip()
    (fake / "git").write_text(f'#!/bin/sh\ncase "$*" in *cat-file*) exit 128;; esac\nexec {real_git} "$@"\n')
    (fake / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    result = run("diff", "HEAD", "--as-of", "2016-03-31")
    assert result.exit_code == 2 and "cat-file" in result.stderr and "Traceback" not in result.stderr


def test_sigint_prints_one_line_and_exits_130(matrix_dir):
    import signal
    import sys
    import time

    script = (
        "import time, uncoop.cli.findings as f\n"
        "f.resolve_matrix = lambda *args: time.sleep(30)\n"
        "from uncoop.cli import main; main()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, "validate"],
        cwd=matrix_dir.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(1.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and err.decode() == "uncoop: interrupted\n"


# ---------------------------------------------------------------------------------------------
# Budgets: work proportional to the input, with stated limits; past a limit, one clear finding.
# ---------------------------------------------------------------------------------------------


def many_institutions(matrix_dir: Path, count: int) -> None:
    """Append `count` participating institutions to organizations.yaml (each owes every quarter)."""
    with (matrix_dir / "organizations.yaml").open("a") as out:
        for i in range(count):
            side = "un" if i % 2 else "oic"
            out.write(f"  - id: GEN-{i:04d}\n    name:\n      en: Generated {i}\n    side: {side}\n")
            out.write("    kind: office\n    participant: true\n")


def test_institutions_times_quarters_over_the_budget_is_one_finding_not_minutes(matrix_dir, run):
    # 267 institutions over a 50-year period: 53,400 reports to follow (the grid that took minutes)
    edit(matrix_dir / "matrix.yaml", "  end: 2016-06-30", "  end: 2064-06-30")
    many_institutions(matrix_dir, 260)
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1
    found = [line for line in result.stdout.splitlines() if "error[too-many-reports]" in line]
    assert len(found) == 1
    assert re.match(r"matrix/matrix\.yaml:\d+:\d+: error\[too-many-reports\] 267 institutions x 200 ", found[0])
    assert "53,400" in found[0] and "50,000" in found[0] and "split the period" in found[0]
    for command in (["status", "--format", "json"], ["status"], ["remind"], ["report", "--format", "md", "--out", "-"]):
        done = subprocess.run(
            [UNCOOP, *command, "--as-of", "2020-12-31"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=matrix_dir.parent,
        )
        assert done.returncode == 1, command
        assert done.stdout == "", command  # nothing half-computed
        assert done.stderr.count("error[too-many-reports]") == 1 and "nothing else computed" in done.stderr
        assert "Traceback" not in done.stderr


def test_the_reporting_budget_counts_every_institution_and_quarter(matrix_dir, run, monkeypatch):
    from uncoop import owing

    cells = 7 * 8  # the fixture: 7 institutions, 2014-Q3..2016-Q2
    monkeypatch.setattr(owing, "MAX_REPORTING_CELLS", cells)
    assert "too-many-reports" not in run("validate", "--as-of", "2016-12-31").stdout
    monkeypatch.setattr(owing, "MAX_REPORTING_CELLS", cells - 1)
    result = run("validate", "--as-of", "2016-12-31")
    assert result.exit_code == 1 and "7 institutions x 8 reporting quarters = 56 reports" in result.stdout


def test_the_reporting_grid_refuses_work_over_the_budget_for_every_caller(matrix_dir, monkeypatch):
    # a caller that skips validation (a past revision, a library user) still gets no minutes of work
    from datetime import date

    from uncoop import owing
    from uncoop.load import load
    from uncoop.problem import UncoopError
    from uncoop.timeline import snapshot

    loaded, _ = load(matrix_dir)
    monkeypatch.setattr(owing, "MAX_REPORTING_CELLS", 10)
    with pytest.raises(UncoopError, match="over uncoop's limit of 10"):
        snapshot(loaded, date(2016, 12, 31))


def moves_committed(repo: Path, count: int) -> None:
    """`count` commits on top of HEAD, each moving HUM-01's planned end (git fast-import: cheap)."""
    path = "matrix/activities/humanitarian/HUM-01.yaml"
    text = (repo / path).read_text()
    stream = []
    for i in range(count):
        data = text.replace("planned_end: 2016-Q2", f"planned_end: {2016 + i % 2}-Q{1 + i % 4}").encode()
        message = f"move {i}".encode()
        stream += [
            b"commit refs/heads/main\n",
            f"committer t <t@example.org> {1420070400 + 3600 * i} +0000\n".encode(),
            b"data %d\n%s\n" % (len(message), message),
            *([b"from refs/heads/main^0\n"] if i == 0 else []),
            b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data),
        ]
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream), check=True)
    git(repo, "reset", "-q", "--hard", "main")


def test_history_reads_every_revision_in_one_git_process(repo, run, monkeypatch):
    from uncoop import git as git_module

    started: list[tuple[str, ...]] = []
    real = git_module._start

    def counting(cwd, args, stdin=None):
        started.append(args)
        return real(cwd, args, stdin)

    monkeypatch.setattr(git_module, "_start", counting)
    counts = []
    for more in (2, 40):
        moves_committed(repo, more)
        started.clear()
        doc = json.loads(run("history", "HUM-01", "--format", "json").stdout)
        assert doc["revisions"] == doc["revisions_read"] and doc["moves"]
        counts.append(len(started))
        assert sum(args[0] == "cat-file" for args in started) == 1 and not any(a[0] == "show" for a in started)
    assert counts[0] == counts[1]  # 20 times the revisions, not one more git process


def test_a_history_over_the_revision_limit_says_how_much_was_read(repo, run):
    from uncoop.slippage import MAX_REVISIONS

    moves_committed(repo, MAX_REVISIONS + 5)  # 1,006 revisions of HUM-01 with the adoption
    result = run("history", "HUM-01", "--format", "json")
    doc = json.loads(result.stdout)
    assert doc["revisions"] == MAX_REVISIONS + 6 and doc["revisions_read"] == MAX_REVISIONS
    assert f"read the newest 1,000 of {MAX_REVISIONS + 6:,} revisions" in result.stderr
    assert all(m["subject"] != "move 4" for m in doc["moves"])  # the oldest moves were not read
    assert any(m["subject"] == f"move {MAX_REVISIONS + 4}" for m in doc["moves"])
    assert "History shortened: read the newest 1,000" in run("history", "HUM-01").stdout
    report = run("report", "--as-of", "2016-06-30", "--history", "--format", "md", "--out", "-")
    assert report.exit_code == 0 and report.stderr.count("HUM-01: read the newest 1,000 of 1,006 revisions") == 1


def test_the_batch_read_answers_missing_files_and_odd_names(repo):
    from uncoop.git import contents

    (repo / "matrix" / "a b.txt").write_text("spaced\n")
    commit(repo, "a file with a space")
    head = git(repo, "rev-parse", "HEAD").strip()
    assert contents(repo, [(head, "matrix/a b.txt"), (head, "matrix/nope.yaml"), (head, "matrix"), (head, "x\ny")]) == [
        b"spaced\n",
        None,
        None,  # a folder is not a file
        None,  # a name that cannot be asked on one line is not asked
    ]


# --- text hygiene: the reader refuses odd characters, and every writer is safe on its own ------
#
# Each attack is performed twice where it can be: once as a pull request would (the reader must
# refuse it, located and coded), and once with the reader's character check switched off, as if
# a future input path forgot it: the writer must still keep its medium well-formed.

import csv  # noqa: E402
import email  # noqa: E402
import email.policy  # noqa: E402
import io  # noqa: E402
import tempfile  # noqa: E402
import zipfile  # noqa: E402

from defusedxml import ElementTree as SafeET  # noqa: E402
from hypothesis import HealthCheck, given  # noqa: E402
from hypothesis import settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from uncoop import model  # noqa: E402

AS_OF = "2016-12-31"


@pytest.fixture
def reader_bypassed(monkeypatch):
    """The schema's character check off: what reaches the writers is whatever the YAML holds."""
    monkeypatch.setattr(model, "_clean", lambda text, odd: text)


def _command_lines(text: str) -> list[str]:
    """Lines a CI runner would run as workflow commands (it breaks lines at LF and CR)."""
    return [line for line in re.split(r"\r\n|\r|\n", text) if line.lstrip().startswith("::") or "##[" in line]


def _milestone_title(matrix_dir: Path, title: str) -> None:
    edit(hum(matrix_dir), "    title: Technical working group formed", f"    title: {json.dumps(title)}")


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        ("    title: Technical working group formed", '    title: "Technical\\nworking group"', "line break U+000A"),
        ("    unit: meetings", '    unit: "meet\\rings"', "line break U+000D"),
        ("    title: High-level working group formed", '    title: "High\\tlevel"', "tab U+0009"),
        ("  en: OIC-OCHA Plan of Action", '  en: "Plan \\u2028of Action"', "line break U+2028"),
        ("  en: OIC-OCHA Plan of Action", '  en: "Plan \\u2066of Action"', "bidirectional control U+2066"),
        ("  - mechanism: OCHA core budget", '  - mechanism: "OCHA \\uFFFE budget"', "noncharacter U+FFFE"),
        ("  - mechanism: OCHA core budget", '  - mechanism: "OCHA \\uFDD0 budget"', "noncharacter U+FDD0"),
        ("description: Strengthen and extend", 'description: "Stren\\rgthen" #', "line break U+000D"),
    ],
)
def test_the_reader_refuses_odd_characters_where_they_would_break_an_output(matrix_dir, run, old, new, what):
    text = hum(matrix_dir).read_text()
    line = text[: text.index(old)].count("\n") + 1
    edit(hum(matrix_dir), old, new)
    result = run("validate", "--as-of", AS_OF)
    assert result.exit_code == 1 and "Traceback" not in result.stdout + result.stderr
    (finding,) = [f for f in result.stdout.splitlines() if "control-character" in f]
    assert finding.startswith(f"matrix/activities/humanitarian/HUM-01.yaml:{line}:") and what in finding
    assert "(" in finding and finding.endswith(")")  # a hint says what to do


def test_prose_may_hold_line_feeds_and_tabs_and_the_bundled_matrix_holds_no_odd_character(matrix_dir, run):
    edit(hum(matrix_dir), "description: Strengthen", 'description: "Line one\\n\\tline two. Strengthen')
    edit(hum(matrix_dir), "Plan of Action.  # comment kept", 'Plan of Action."')
    assert run("validate", "--as-of", AS_OF).exit_code == 0
    bundled = subprocess.run([UNCOOP, "validate"], cwd=Path(__file__).parent.parent, capture_output=True, text=True)
    assert bundled.returncode == 0 and bundled.stderr.startswith("0 errors"), bundled.stderr


def _boundary(eml: Path) -> str:
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message.is_multipart()
    return message.get_boundary()


def test_a_line_equal_to_the_mime_boundary_adds_no_part_to_the_reminder(matrix_dir, run, tmp_path, reader_bypassed):
    assert run("remind", "--as-of", AS_OF, "-f", "eml", "--out", str(tmp_path / "first")).exit_code == 0
    boundary = _boundary(tmp_path / "first" / "reminder-2016-12-31-OCHA.eml")
    _milestone_title(matrix_dir, f"Technical\n--{boundary}\nContent-Type: text/html\n\n<b>pay here</b>\n--{boundary}")
    assert run("remind", "--as-of", AS_OF, "-f", "eml", "--out", str(tmp_path / "eml")).exit_code == 0
    data = (tmp_path / "eml" / "reminder-2016-12-31-OCHA.eml").read_bytes()
    message = email.message_from_bytes(data, policy=email.policy.default)
    parts = [p.get_content_type() for p in message.walk() if not p.is_multipart()]
    assert parts.count("text/plain") == 1 and "text/html" not in parts, parts
    assert f"--{boundary}" in message.get_body(("plain",)).get_content()  # the data, shown as text


def test_a_line_feed_in_a_name_or_the_matrix_title_is_no_traceback_and_no_header(
    matrix_dir, run, tmp_path, reader_bypassed
):
    edit(
        matrix_dir / "organizations.yaml",
        "name: Office for the Coordination of Humanitarian Affairs",
        'name: "OCHA\\nBcc: victim@example.org"',
    )
    edit(matrix_dir / "matrix.yaml", "title:", 'title: "Matrix\\n::error file=x::forged"\nold_title:')
    text = (matrix_dir / "matrix.yaml").read_text()
    (matrix_dir / "matrix.yaml").write_text(re.sub(r"old_title:.*?\n(?=\S)", "", text, flags=re.S))
    result = run("remind", "--as-of", AS_OF, "-f", "eml", "--out", str(tmp_path / "eml"))
    assert result.exit_code == 0, result.stderr
    message = email.message_from_bytes(
        (tmp_path / "eml" / "reminder-2016-12-31-OCHA.eml").read_bytes(), policy=email.policy.default
    )
    assert "Bcc" not in message and "\n" not in message["Subject"] and "OCHA Bcc" in message["Subject"]
    calendar = run("calendar", "--as-of", AS_OF)
    assert calendar.exit_code == 0 and "internal error" not in calendar.stderr
    assert _command_lines(calendar.stdout) == []


def _csv_rows(folder: Path) -> list[list[str]]:
    (path,) = [p for p in folder.iterdir() if "OCHA" in p.name]
    stamp, body = path.read_bytes().decode("utf-8").split("\n", 1)  # bytes: a CR stays a CR
    rows = list(csv.reader(io.StringIO(body, newline="")))
    again = io.StringIO()
    csv.writer(again, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    assert again.getvalue() == body, "every cell is quoted"
    return rows


def test_a_carriage_return_or_tab_in_a_title_cannot_make_a_csv_formula(matrix_dir, run, tmp_path, reader_bypassed):
    edit(
        hum(matrix_dir),
        "    title: Coordination meetings held in Geneva",
        '    title: "Meetings\\r=HYPERLINK(\\"https://evil.example\\")"',
    )
    _milestone_title(matrix_dir, "\t=1+1")
    result = run("forms", "--period", "2015-Q1", "-f", "csv", "--out", str(tmp_path / "csv"), "--org", "OCHA")
    assert result.exit_code == 0, result.stderr
    cells = [cell for row in _csv_rows(tmp_path / "csv") for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'\t=1+1 (June 2015)" in cells
    assert any(c.startswith("Meetings\r=HYPERLINK") for c in cells)  # inside one quoted cell


def test_no_line_of_text_output_is_a_workflow_command(matrix_dir, run, tmp_path, reader_bypassed):
    _milestone_title(matrix_dir, "x\n::error file=matrix/matrix.yaml,line=1::forged\n##[warning]forged too")
    # valid for the reader too: the terminal's own wrapping would start a line with '::'
    edit(hum(matrix_dir), "  en: OIC-OCHA Plan of Action", "  en: OIC-OCHA Plan of Action ::error file=a::wrapped")
    outputs = {
        "status": run("status", "--as-of", AS_OF),
        "status markdown": run("status", "--as-of", AS_OF, "--format", "markdown"),
        "letters": run("remind", "--as-of", AS_OF),
        "iati": run("export", "iati", "--as-of", AS_OF, "--out", "-", "--prefix", "XM-EXAMPLE"),
    }
    for width in ("60", "75", "90", "140"):
        os.environ["COLUMNS"] = width
        try:
            outputs[f"status {width}"] = run("status", "--as-of", AS_OF)
        finally:
            del os.environ["COLUMNS"]
    assert "forged" in outputs["letters"].stdout
    for name, result in outputs.items():
        assert result.exit_code in (0, 1), (name, result.stderr)
        assert _command_lines(result.stdout + "\n" + result.stderr) == [], name


def test_the_github_format_still_writes_its_annotations(matrix_dir, run):
    edit(hum(matrix_dir), "status: implementation", "status: implementing")
    result = run("validate", "--format", "github", "--as-of", AS_OF)
    assert result.exit_code == 1 and result.stdout.startswith("::error file=")


def test_a_noncharacter_keeps_the_iati_file_and_the_workbook_well_formed(matrix_dir, run, tmp_path, reader_bypassed):
    edit(hum(matrix_dir), "  en: OIC-OCHA Plan of Action", '  en: "Plan\\uFFFE of \\uFFFF Action"')
    iati = run("export", "iati", "--as-of", AS_OF, "--out", "-", "--prefix", "XM-EXAMPLE")
    assert iati.exit_code == 0, iati.stderr
    titles = [n.text for n in SafeET.fromstring(iati.stdout.encode()).iter("narrative")]
    assert "Plan\ufffd of \ufffd Action" in titles
    assert run("forms", "--period", "2015-Q1", "--out", str(tmp_path / "x"), "--org", "OCHA").exit_code == 0
    _workbook_opens(next((tmp_path / "x").iterdir()))
    xlf = tmp_path / "fr.xlf"
    assert run("translation", "export", "--lang", "fr", "--out", str(xlf)).exit_code == 0
    SafeET.fromstring(xlf.read_bytes())


def _workbook_opens(path: Path) -> None:
    from openpyxl import load_workbook

    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                SafeET.fromstring(book.read(name))
    load_workbook(path, read_only=True).close()


# the property: any text in every text field, and every output either refuses it at validation or
# stays well-formed in its medium (checked with the reader's character check off, so the writers
# are tried on everything, not only on what the reader lets through)

_TEXT_KEYS = {
    "title",
    "name",
    "acronym",
    "unit",
    "mechanism",
    "place",
    "host",
    "description",
    "note",
    "narrative",
    "obstacles",
    "next_steps",
    "progress_note",
}
_PIECES = st.sampled_from(
    [
        "::",
        "::error file=a,line=1::x",
        "##[warning]",
        "##vso[task.setvariable]",
        "--",
        "=_",
        "Content-Type: text/html",
        "Bcc: a@example.org",
        "=",
        "+",
        "-",
        "@",
        ",",
        '"',
        ";",
        "<",
        "&",
        "]]>",
        "\\",
        " ",
        "x",
        "é",
        "ج",
    ]
)
_CHARS = st.sampled_from(
    list("\n\r\t\x0b\x0c\x00\x07\x1b\x7f\x85\x9b\u2028\u2029\u202a\u202e\u2066\u2069\u200f\ufffe\uffff\ufdd0\ufeff")
)
_HOSTILE = st.lists(st.one_of(_PIECES, _CHARS), min_size=1, max_size=8).map("".join)


def _fill(value, text: str, key: str = ""):
    if isinstance(value, dict):
        return {k: _fill(v, text, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, text, key) for v in value]
    if isinstance(value, str) and key in _TEXT_KEYS:
        return text + "x"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _hostile_matrix(target: Path, text: str) -> None:
    import yaml

    for path in FIXTURE_MATRIX.rglob("*.yaml"):
        data = _fill(yaml.safe_load(path.read_text()), text)
        out = target / path.relative_to(FIXTURE_MATRIX)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data) + "\n")  # JSON is YAML; every odd character escaped


FIXTURE_MATRIX = Path(__file__).parent / "fixtures" / "matrix"
_EXAMPLES = max(4, hypothesis_settings().max_examples // 20)  # 5 here, 50 with CI=true


def _well_formed_outputs(run, out: Path) -> None:
    results = {
        "status": run("status", "--as-of", AS_OF),
        "status markdown": run("status", "--as-of", AS_OF, "--format", "markdown"),
        "status json": run("status", "--as-of", AS_OF, "--format", "json"),
        "letters": run("remind", "--as-of", AS_OF),
        "eml": run("remind", "--as-of", AS_OF, "-f", "eml", "--out", str(out / "eml")),
        "csv": run("forms", "--period", "2015-Q1", "-f", "csv", "--out", str(out / "csv")),
        "xlsx": run("forms", "--period", "2015-Q1", "--out", str(out / "xlsx")),
        "iati": run("export", "iati", "--as-of", AS_OF, "--out", "-", "--prefix", "XM-EXAMPLE"),
        "calendar": run("calendar", "--as-of", AS_OF),
        "xliff": run("translation", "export", "--lang", "fr", "--out", str(out / "fr.xlf")),
    }
    for name, result in results.items():
        said = result.stdout + "\n" + result.stderr
        assert result.exit_code in (0, 1, 2) and "internal error" not in said and "Traceback" not in said, (name, said)
        assert _command_lines(said) == [], name
    if results["status json"].exit_code in (0, 1):
        json.loads(results["status json"].stdout)
    if results["iati"].exit_code == 0:
        SafeET.fromstring(results["iati"].stdout.encode())
    if (out / "fr.xlf").exists():
        SafeET.fromstring((out / "fr.xlf").read_bytes())
    for eml in (out / "eml").glob("*.eml") if (out / "eml").exists() else []:
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        parts = [p.get_content_type() for p in message.walk() if not p.is_multipart()]
        assert parts.count("text/plain") == 1 and all(p == "text/plain" or p.startswith("application/") for p in parts)
        assert set(message.keys()) <= {
            "Subject",
            "Date",
            "X-Uncoop-Organization",
            "Content-Type",
            "Content-Transfer-Encoding",
            "MIME-Version",
            "Content-Language",
            "X-Unsent",
            "To",
            "From",
        }
        assert all(len(message[h].addresses) == 1 for h in ("To", "From") if message[h] is not None)
    for form in (out / "csv").glob("*.csv") if (out / "csv").exists() else []:
        for cell in (c for row in _csv_rows_of(form) for c in row):
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
    for book in (out / "xlsx").glob("*.xlsx") if (out / "xlsx").exists() else []:
        _workbook_opens(book)


def _csv_rows_of(path: Path) -> list[list[str]]:
    body = path.read_bytes().decode("utf-8").split("\n", 1)[1]
    rows = list(csv.reader(io.StringIO(body, newline="")))
    again = io.StringIO()
    csv.writer(again, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    assert again.getvalue() == body, "every cell is quoted"
    return rows


@hypothesis_settings(max_examples=_EXAMPLES, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_HOSTILE)
def test_any_text_in_every_field_is_refused_or_every_output_stays_well_formed(run, tmp_path, monkeypatch, text):
    from uncoop.problem import ODD_IN_LINE

    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    _hostile_matrix(folder / "matrix", text)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("UNCOOP_MATRIX", str(folder / "matrix"))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    checked = run("validate", "--as-of", AS_OF)
    assert checked.exit_code in (0, 1) and "internal error" not in checked.stderr
    if ODD_IN_LINE.search(text):  # every title holds it: refused, located
        assert "control-character" in checked.stdout, checked.stdout
    assert _command_lines(checked.stdout + checked.stderr) == []
    with monkeypatch.context() as bypass:
        bypass.setattr(model, "_clean", lambda text, odd: text)
        _well_formed_outputs(run, folder / "out")
