"""Property test: 1,000 seeded random edits with hostile strings lose nothing.

Each example sets one text field of a house-style or hand-written update to a
hostile string (Arabic with RTL marks, '#', ': ', quotes, a leading '-', 'NO',
very long lines) and checks that the value reads back exactly, that every other
value keeps its value and type, and that every comment survives.
"""

from __future__ import annotations

import os
import re

from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import REPO
from uncoop import yamlsrc
from uncoop.edit import set_field

HOUSE = (REPO / "matrix" / "updates" / "2015-Q2" / "OIC-GS.yaml").read_text()
HAND = """\
organization: OCHA   # who reports
period: 2015-Q1
submitted: 2015-04-20
# entries follow
entries:
  - activity: HUM-01
    status: implementation
    progress: 40     # a guess
    narrative: "Said \\"yes\\": NO"
    obstacles: 'It''s #1'
  - {activity: HUM-02, status: suspended, progress: 10, next_steps: 010}

  - activity: HUM-03
    status: pipeline
    progress: 0
    narrative: |
      Two lines,
      the second: with a colon
"""
ZERO_INDENT = """\
organization: OCHA
period: 2015-Q1
submitted: 2015-04-20
entries:
- activity: HUM-01
  status: implementation
  progress: 40
  obstacles: 250_000.00
  next_steps: 1e3
  milestones_done: {M1: 2015-01-10}
- activity: HUM-02
  status: implementation
  progress: 10.50
  narrative: "line\\u2028separated"
  indicators:
    I1: 0x10
- activity: HUM-03
  status: pipeline
  progress: 0
  next_steps: 010
"""
FILES = {
    "house": HOUSE,
    "hand": HAND,
    "zero": ZERO_INDENT,
    "crlf": HAND.replace("\n", "\r\n"),
    "bom": "\ufeff" + ZERO_INDENT,
    "bom-crlf": "\ufeff" + ZERO_INDENT.replace("\n", "\r\n"),
}
SPECIALS = [
    "NO",
    "yes",
    "~",
    "null",
    "010",
    "1.10",
    "12:30",
    "- lead",
    "#hash",
    "a: b",
    "a #b",
    "'",
    '"',
    "''",
    "[x]",
    "{y}",
    "* star",
    "& amp",
    "! bang",
    "%pc",
    "@at",
    "`tick",
    "|",
    ">",
    "?",
    "\u200fخطة عمل\u200f",
    "\u202bمرحبا\u202c",
    "x" * 3000,
    " lead space",
    "trail space ",
    "tab\there",
    "two\nlines",
    "ends:",
]
ALPHABET = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufeff\x85")
HOSTILE = st.one_of(
    st.sampled_from(SPECIALS),
    st.text(ALPHABET, min_size=1, max_size=80),
    st.lists(st.sampled_from(SPECIALS + ["عربي", " ", ": ", "#"]), min_size=2, max_size=6).map("".join),
)
COMMENT = re.compile(r"#\s[^\n]*")


def comments(text: str) -> list[str]:
    return [
        m.group(0).strip()
        for line in text.splitlines()
        if line.lstrip().startswith("#") or " #" in line
        for m in [COMMENT.search(line[line.find("#") - 1 if line.find(" #") < 0 else line.find(" #") :])]
        if m
    ]


def leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, path + (i,))
    else:
        yield path, (type(value).__name__, getattr(value, "text", value))


NUMBERS = st.one_of(
    st.integers(0, 100),
    st.floats(0, 100, allow_nan=False, allow_infinity=False),
    st.sampled_from([99.99999999999999, 0.1, 33.333333333333336, 50.5]),
)
TARGETS = st.one_of(
    st.tuples(st.sampled_from(["narrative", "obstacles", "next_steps"]), HOSTILE),
    st.tuples(st.just("progress"), NUMBERS),
    st.tuples(
        st.sampled_from(["milestones_done/M1", "milestones_done/M7"]),
        st.dates().filter(lambda d: 1900 <= d.year <= 2199).map(lambda d: d.isoformat()),
    ),
    st.tuples(st.sampled_from(["indicators/I1", "indicators/I9"]), NUMBERS),
)


def span_of(text: str, path: tuple) -> tuple[int, int] | None:
    """Where the value at `path` stands in `text` (characters), if it is there."""
    from uncoop.splice import _tree

    body = text[1:] if text.startswith("\ufeff") else text
    node = _tree(body)
    for part in path:
        children = node.items if node.kind == "sequence" else node.keys
        try:
            node = children[part]
        except (KeyError, IndexError, TypeError):
            return None
    end = node.end
    while body[end - 1] in "\r\n":
        end -= 1
    offset = len(text) - len(body)
    return node.start + offset, end + offset


@given(name=st.sampled_from(sorted(FILES)), entry=st.integers(0, 2), target=TARGETS)
def test_random_edits_change_only_the_edited_value(name, entry, target):
    original = FILES[name]
    before, error = yamlsrc.read(original.encode())
    assert error is None
    entry %= len(before["entries"])
    field, value = target
    changed = ("entries", entry, *field.split("/"))
    if len(changed) == 3 and isinstance(before["entries"][entry].get(changed[2]), dict):  # a translated text
        changed += ("en",)
    edited = set_field(original, changed, value)
    after, error = yamlsrc.read(edited.encode())
    assert error is None, (value, error)
    got = after
    for part in changed:
        got = got[part]
    assert got == value and (type(got) is str) == isinstance(value, str)
    assert len(after["entries"]) == len(before["entries"])  # no invented entries
    old = {p: v for p, v in leaves(before) if p[: len(changed)] != changed}
    new = {p: v for p, v in leaves(after) if p[: len(changed)] != changed}
    assert new == old
    # bytes: the same outside the edited value, or one block of whole lines inserted
    span = span_of(original, changed)
    if span is not None:
        start, end = span
        assert edited.startswith(original[:start]) and edited.endswith(original[end:])
    else:
        prefix = len(os.path.commonprefix([original, edited]))
        inserted = len(edited) - len(original)
        assert edited[:prefix] + edited[prefix + inserted :] == original
        block = edited[prefix : prefix + inserted]
        assert block.count("\n") == block.count("\r\n") if "\r\n" in original else "\r" not in block
    assert edited.startswith("\ufeff") == original.startswith("\ufeff")


@given(
    name=st.sampled_from(sorted(FILES)),
    entry=st.integers(0, 2),
    field=st.sampled_from(["narrative", "obstacles", "next_steps"]),
    value=HOSTILE,
)
def test_random_edits_lose_nothing(name, entry, field, value):
    original = FILES[name]
    before, error = yamlsrc.read(original.encode())
    assert error is None
    entry %= len(before["entries"])
    changed: tuple = ("entries", entry, field)
    if isinstance(before["entries"][entry].get(field), dict):  # a translated text: its English
        changed += ("en",)
    edited = set_field(original, changed, value)
    after, error = yamlsrc.read(edited.encode())
    assert error is None, (value, error)
    got = after
    for part in changed:
        got = got[part]
    assert got == value
    old = {p: v for p, v in leaves(before) if p != changed}
    new = {p: v for p, v in leaves(after) if p != changed}
    assert new == old
    for comment in comments(original):
        assert comment in edited, comment
