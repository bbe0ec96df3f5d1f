"""Reference commands: the JSON Schemas of the file kinds and the finding codes."""

from __future__ import annotations

import enum
import sys
from pathlib import Path

import typer

from .app import FindingFormat, _run, app, write_file, write_scope


class Kind(str, enum.Enum):
    matrix = "matrix"
    organizations = "organizations"
    areas = "areas"
    activity = "activity"
    update = "update"


@app.command()
def schema(
    out: Path | None = typer.Option(None, "--out", help="Write one <kind>.schema.json per file kind into this folder."),
    kind: Kind = typer.Option(Kind.activity, "--kind", help="Without --out: which kind to print."),
    check: bool = typer.Option(False, "--check", help="With --out: exit 1 if the files there differ from the models."),
) -> None:
    """JSON Schema of each Matrix file kind, for editors (yaml-language-server) and other tools.

    Matrix files point at them with a first-line comment such as
    `# yaml-language-server: $schema=../../../schemas/activity.schema.json`.
    """

    def body() -> int:
        from ..schema import FILE_NAMES, schemas

        texts = schemas()
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

    _run(body)


@app.command()
def rules(
    fmt: FindingFormat = typer.Option(FindingFormat.text, "--format", "-f", help="text or json."),
) -> None:
    """List every finding code with its severity and meaning."""
    from ..rules import RULES

    if fmt is FindingFormat.json:
        import json

        doc = [
            {"code": r.code, "severity": r.severity.label, "stage": r.stage, "summary": r.summary}
            for r in RULES.values()
        ]
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return
    width = max(len(code) for code in RULES)
    for r in RULES.values():
        sys.stdout.write(f"{r.code:<{width}}  {r.severity.label:<7}  {r.stage:<9}  {r.summary}\n")
