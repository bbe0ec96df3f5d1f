"""JSON Schema of every Matrix file kind, from the Pydantic models, for editors and CI.

yaml-language-server reads draft-07; Pydantic writes 2020-12-style output, which
it reads as long as no tuple (`prefixItems`) or `unevaluated*` keywords appear
(none do: a test checks).  Dates are strings with a pattern, as YAML 1.2 reads them.
"""

from __future__ import annotations

import json

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
    doc = TypeAdapter(FILE_KINDS[kind]).json_schema(ref_template="#/$defs/{model}")
    return {"title": TITLES[kind], **{k: v for k, v in doc.items() if k != "title"}}


def schemas() -> dict[str, str]:
    """File name -> JSON text, stable (sorted keys) so committed copies diff cleanly."""
    return {
        FILE_NAMES[kind]: json.dumps(schema_for(kind), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        for kind in FILE_KINDS
    }
