"""Reading one Matrix file afresh: YAML values, then the schema (`model`), every mistake a
finding with its line and column.  Imported only when a file is not served by the cache.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from . import yamlsrc
from .model import FILE_KINDS, validator
from .problem import Location, Problem
from .records import LIST_FILES
from .rules import finding
from .schema_errors import schema_problems


def _problem(path: str, code: str, message: str, hint: str = "", line: int = 1, column: int = 1) -> Problem:
    return finding(code, Location(path, line, column), message, hint)


def parse_record(shown: str, data: bytes, kind: str) -> tuple[Any, list[Problem], yamlsrc.Positions | None]:
    value, error = yamlsrc.read(data)
    if error is not None:
        return None, [_problem(shown, error.code, error.message, error.hint, error.line + 1, error.column + 1)], None
    if value is None:
        return None, [_problem(shown, "empty-file", "the file is empty", "fill it in or delete it")], None
    if not isinstance(value, dict):
        return (
            None,
            [_problem(shown, "wrong-type", f"the file must be a mapping of fields, not a {type(value).__name__}")],
            None,
        )
    if kind in LIST_FILES:
        return _read_list(shown, data, value, kind)
    record, problems, positions = _validate(FILE_KINDS[kind], value, shown, data)
    return record, problems, positions


def _validate(
    model: Any, value: Any, shown: str, data: bytes, prefix: tuple = (), positions: yamlsrc.Positions | None = None
) -> tuple[Any, list[Problem], yamlsrc.Positions | None]:
    try:
        return validator(model).validate_python(value), [], positions
    except ValidationError as exc:
        positions = positions or yamlsrc.positions(data)
        return None, schema_problems(exc, model, shown, positions, prefix), positions


def _read_list(shown: str, data: bytes, value: dict, kind: str) -> tuple[Any, list[Problem], Any]:
    """Validate organizations/areas entry by entry, so one bad entry does not hide the rest."""
    key, item_model = LIST_FILES[kind]
    shell = {k: ([] if k == key else v) for k, v in value.items()}
    _, problems, positions = _validate(FILE_KINDS[kind], shell, shown, data)
    items = value.get(key)
    if not isinstance(items, list):
        items = []
        if key in value:
            positions = positions or yamlsrc.positions(data)
            line, col = positions.find((key,))
            problems.append(_problem(shown, "wrong-type", f"{key}: expected a list", "", line + 1, col + 1))
    good = []
    for i, item in enumerate(items):
        record, item_problems, positions = _validate(item_model, item, shown, data, (key, i), positions)
        problems.extend(item_problems)
        good.append((i, record))
    return good, problems, positions
