"""Every output format for findings, chosen in one place (`FORMATTERS`).

text and json for people and scripts; github (workflow commands), sarif 2.1.0
and gitlab (Code Quality) for CI.  Machine formats are written as-is, never
wrapped or coloured.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from . import __version__
from .catalogue import RULES
from .markup import json_text, md_code, md_text
from .problem import Problem, Severity


def format_text(problems: list[Problem]) -> str:
    return "".join(p.as_text() + "\n" for p in problems)


def format_json(problems: list[Problem]) -> str:
    counts = {s.label: 0 for s in Severity}
    for p in problems:
        counts[p.severity.label] += 1
    doc = {"problems": [p.as_dict() for p in problems], "counts": counts}
    return json_text(doc)


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _repo_path(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def format_github(problems: list[Problem]) -> str:
    """GitHub workflow commands, escaped as the Actions toolkit does."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
    lines = []
    for p in problems:
        loc = p.location
        message = f"{p.message} ({p.hint})" if p.hint else p.message
        lines.append(
            f"::{level[p.severity]} file={_gh_prop(_repo_path(loc.path))},line={loc.line},col={loc.column},"
            f"title={_gh_prop(p.code)}::{_gh_data(message)}\n"
        )
    return "".join(lines)


def fingerprint(problem: Problem) -> str:
    """Stable identity: file, rule and what it is about, never the line number."""
    about = problem.key or problem.message
    return hashlib.sha256(f"{_repo_path(problem.location.path)}\0{problem.code}\0{about}".encode()).hexdigest()


def format_sarif(problems: list[Problem]) -> str:
    level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    codes = sorted(RULES)
    rules = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": RULES[code].summary},
            "defaultConfiguration": {"level": level[RULES[code].severity]},
            "properties": {"stage": RULES[code].stage},
        }
        for code in codes
    ]
    index = {code: i for i, code in enumerate(codes)}
    results = [
        {
            "ruleId": p.code,
            "ruleIndex": index[p.code],
            "level": level[p.severity],
            "message": {"text": f"{p.message} ({p.hint})" if p.hint else p.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _repo_path(p.location.path)},
                        "region": {"startLine": p.location.line, "startColumn": p.location.column},
                    }
                }
            ],
            "partialFingerprints": {"uncoop/v1": fingerprint(p)},
        }
        for p in problems
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "uncoop", "version": __version__, "rules": rules}}, "results": results}],
    }
    return json_text(doc)


def format_gitlab(problems: list[Problem]) -> str:
    severity = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
    doc = [
        {
            "description": f"{p.code}: {p.message}",
            "check_name": p.code,
            "fingerprint": fingerprint(p),
            "severity": severity[p.severity],
            "location": {"path": _repo_path(p.location.path), "lines": {"begin": p.location.line}},
        }
        for p in problems
    ]
    return json_text(doc)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary_table(problems: list[Problem]) -> str:
    rows = ["| Where | Severity | Code | Message |\n| --- | --- | --- | --- |\n"]
    for p in problems:
        rows.append(f"| {md_code(p.location)} | {p.severity.label} | `{p.code}` | {md_text(p.message)} |\n")
    return "".join(rows)


def step_summary(problems: list[Problem], title: str) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY: every finding, since annotations stop at 10 per kind;
    the errors first and open, everything less severe folded below them, so one broken
    reference is not buried among the warnings."""
    counts = Counter(p.severity for p in problems)
    head = f"### {md_text(title)}\n\n"
    if not problems:
        return head + "No findings.\n\n"
    errors = [p for p in problems if p.severity >= Severity.ERROR]
    others = [p for p in problems if p.severity < Severity.ERROR]
    out = [head, f"{_plural(counts[Severity.ERROR], 'error')}, {_plural(counts[Severity.WARNING], 'warning')}\n\n"]
    if errors:
        out.append(_summary_table(errors) + "\n")
    if others:
        fold = f"{_plural(len(others), 'warning or note')}" if counts[Severity.WARNING] != len(others) else None
        label = fold or _plural(len(others), "warning")
        out.append(f"<details><summary>{label}</summary>\n\n{_summary_table(others)}\n</details>\n")
    return "".join(out) + "\n"


FORMATTERS = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
    "gitlab": format_gitlab,
}
