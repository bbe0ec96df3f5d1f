"""Reference commands: the JSON Schemas of the file kinds and the finding codes."""

import enum
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .. import vocab
from .app import Fail, command
from .options import choices
from .places import write_file, write_scope

if TYPE_CHECKING:
    from ..followup import Example
    from ..rules import Rule

    class Kind(str, enum.Enum): ...

else:
    Kind = choices("Kind", vocab.FILE_KINDS)


@command()
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write one <kind>.schema.json per file kind into this folder.")
    ] = None,
    kind: Annotated[Kind, typer.Option("--kind", help="Without --out: which kind to print.")] = Kind["activity"],
    check: Annotated[
        bool, typer.Option("--check", help="With --out: exit 1 if the files there differ from the models.")
    ] = False,
) -> int:
    """JSON Schema of each Matrix file kind, for editors (yaml-language-server) and other tools.

    Matrix files point at them with a first-line comment such as
    `# yaml-language-server: $schema=../../../schemas/activity.schema.json`.
    """
    from ..schema import FILE_NAMES, schemas

    texts = schemas()
    if check and out is None:
        raise Fail("--check compares the files of a folder with the models: add --out DIR (e.g. --out schemas)")
    if out is None:
        sys.stdout.write(texts[FILE_NAMES[kind.value]])
        return 0
    stale = [
        name
        for name, text in texts.items()
        if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text
    ]
    if check:
        for name in stale:
            sys.stdout.write(f"{out / name}\n")
        return int(bool(stale))
    scope = write_scope(Path.cwd() / "matrix").named(out, folder=True)
    for name in stale:
        write_file(out / name, texts[name].encode("utf-8"), scope)
        sys.stderr.write(f"wrote {out / name}\n")
    return 0


class RulesFormat(str, enum.Enum):
    text = "text"
    json = "json"


@command()
def rules(
    code: Annotated[
        str | None, typer.Argument(help="One code: its meaning, severity, group and the examples that show it.")
    ] = None,
    fmt: Annotated[RulesFormat, typer.Option("--format", "-f", help="text or json.")] = RulesFormat.text,
) -> int:
    """List every finding code: severity, stage, the --only group that selects it, and meaning;
    then the rule that rates each activity, area and institution on track, at risk or off track.
    With CODE, that finding alone, with its examples: small Matrices in which it is found and not.

    Codes marked "off" are off by default; `rules: {CODE: warning}` in matrix.yaml turns one on.
    """
    from ..catalogue import RULES

    if code is not None:
        return _one_rule(code, fmt)
    if fmt is RulesFormat.json:
        import json

        sys.stdout.write(json.dumps([_rule_doc(r) for r in RULES.values()], indent=2) + "\n")
        return 0
    from ..catalogue import HEALTH_RULE
    from ..owing import OWING_RULE

    width = max(len(code) for code in RULES)
    for r in RULES.values():
        severity = r.severity.label if r.enabled else "off"
        sys.stdout.write(f"{r.code:<{width}}  {severity:<7}  {r.stage:<9}  {r.summary}\n")
    sys.stdout.write(f"\nWho owes a report (status, report, forms, remind):\n{OWING_RULE}")
    sys.stdout.write(f"\nHealth (status and report):\n{HEALTH_RULE}")
    return 0


def _rule_doc(r: "Rule") -> dict:
    return {
        "code": r.code,
        "severity": r.severity.label,
        "stage": r.stage,
        "group": r.group or None,
        "enabled": r.enabled,
        "summary": r.summary,
    }


def _one_rule(code: str, fmt: RulesFormat) -> int:
    from ..catalogue import RULES, examples
    from ..check import suggest

    rule = RULES.get(code)
    if rule is None:
        raise Fail(f"no finding is called {code!r}: {suggest(code, RULES) or '`uncoop rules` lists every code'}")
    shown = examples(code)
    if fmt is RulesFormat.json:
        import json

        doc = {
            **_rule_doc(rule),
            "examples": [{"finds": e.finds, "as_of": e.as_of, "said": e.said, "files": dict(e.files)} for e in shown],
        }
        sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        return 0
    sys.stdout.write(_rule_text(rule, shown))
    return 0


def _rule_text(rule: "Rule", shown: "tuple[Example, ...]") -> str:
    from ..followup import EXAMPLE_MATRIX

    severity = rule.severity.label if rule.enabled else f"off by default ({rule.severity.label} when on)"
    lines = [f"{rule.code}: {rule.summary}", f"  severity  {severity}", f"  stage     {rule.stage}"]
    if rule.group:
        lines.append(f"  select    uncoop status --only {rule.group}")
    if rule.label:
        lines.append(f'  shown as  "{rule.label}"' + (f', an evidence gap: "{rule.gap}"' if rule.gap else ""))
    lines.append(f"  tune      rules: {{{rule.code}: off|info|warning|error}} in matrix.yaml" if rule.tunable else
                 "  tune      cannot be switched off or lowered: it is a validity error")  # fmt: skip
    if shown:
        lines += ["", f"Examples, each laid over the example Matrix ({EXAMPLE_MATRIX}):"]
    for e in shown:
        lines += ["", f"{'Found' if e.finds else 'Not found'} as of {e.as_of}: {e.said}"]
        for name, text in e.files.items():
            lines += [f"  {name}", *(f"    {line}" for line in text.splitlines())]
        if not e.files:
            lines.append("  (the example Matrix as it is)")
    return "\n".join(lines) + "\n"
