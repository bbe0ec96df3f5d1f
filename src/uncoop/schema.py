"""JSON Schema of every Matrix file kind, from the Pydantic models, for editors and CI.

yaml-language-server reads draft-07; Pydantic writes 2020-12-style output, which
it reads as long as no tuple (`prefixItems`) or `unevaluated*` keywords appear
(none do: a test checks).  Dates are strings with a pattern, as YAML 1.2 reads them.
"""

from __future__ import annotations

import functools
import json
import textwrap

from pydantic import TypeAdapter

from .model import FILE_KINDS

FILE_NAMES = {kind: f"{kind}.schema.json" for kind in FILE_KINDS}
TITLES = {
    "matrix": "uncoop: matrix.yaml",
    "organizations": "uncoop: organizations.yaml",
    "areas": "uncoop: areas.yaml",
    "activity": "uncoop: activities/<area>/<ID>.yaml",
    "update": "uncoop: updates/<YYYY>-Q<n>/<ORG>.yaml",
}


def schema_for(kind: str) -> dict:
    model = FILE_KINDS[kind]
    doc = TypeAdapter(model).json_schema(ref_template="#/$defs/{model}")
    _describe(doc, model.__name__)
    for name, definition in doc.get("$defs", {}).items():
        _describe(definition, name)
    return {"title": TITLES[kind], **{k: v for k, v in doc.items() if k != "title"}}


def _describe(definition: dict, record: str) -> None:
    """Each property gets the comment written above its field in records.py, so an editor shows
    the same words a reader of the code sees (one home: the record)."""
    notes = field_notes(record)
    for name, prop in definition.get("properties", {}).items():
        if name in notes and "description" not in prop:
            prop["description"] = notes[name]


@functools.cache
def field_notes(record: str) -> dict[str, str]:
    """{field: the comment lines right above it} for a record class of records.py."""
    import ast
    import inspect

    from . import records

    cls = getattr(records, record, None)
    if not isinstance(cls, type):
        return {}
    lines, _ = inspect.getsourcelines(cls)
    notes = {}
    for node in ast.parse(textwrap.dedent("".join(lines))).body[0].body:  # type: ignore[attr-defined]
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            above: list[str] = []
            for line in reversed(lines[: node.lineno - 1]):
                if not line.strip().startswith("#"):
                    break
                above.insert(0, line.strip().lstrip("#").strip())
            if above:
                notes[node.target.id] = " ".join(above)
    return notes


def schemas() -> dict[str, str]:
    """File name -> JSON text, stable (sorted keys) so committed copies diff cleanly."""
    return {
        FILE_NAMES[kind]: json.dumps(schema_for(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        for kind in FILE_KINDS
    }
