"""The safe YAML reader: YAML 1.2 scalars, refusals, and 1-based positions."""

from __future__ import annotations

import re
import time

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from uncoop import yamlsrc


def read(text: str | bytes):
    return yamlsrc.read(text.encode() if isinstance(text, str) else text)


def test_yaml_12_scalars_keep_their_meaning():
    value, error = read("a: NO\nb: yes\nc: on\nd: 010\ne: 1.10\nf: 2015-06-30\ng: true\nh: ~\ni: 12:30\n")
    assert error is None
    assert value["a"] == "NO" and value["b"] == "yes" and value["c"] == "on"
    assert value["d"] == 10 and value["d"].text == "010"
    assert value["e"] == 1.1 and value["e"].text == "1.10"
    assert value["f"] == "2015-06-30"
    assert value["g"] is True and value["h"] is None
    assert value["i"] == "12:30"


def test_quoted_values_stay_text():
    value, _ = read("a: \"60\"\nb: 'true'\n")
    assert value == {"a": "60", "b": "true"}


@pytest.mark.parametrize(
    "text, code, line, column",
    [
        ("a: &x [1]\nb: *x\n", "yaml-anchor", 0, 3),
        ("a: 1\nb: *x\n", "yaml-alias", 1, 3),
        ("- !!python/object/apply:os.system [ls]\n", "yaml-tag", 0, 2),
        ("a: !custom 1\n", "yaml-tag", 0, 3),
        ("a: 1\nb: 2\na: 3\n", "duplicate-key", 2, 0),
        ("a: 1\n---\nb: 2\n", "multiple-documents", 1, 0),
        ("a: b: c\n", "yaml-syntax", 0, 4),
        ("? [a]\n: 1\n", "yaml-complex-key", 0, 2),
        ('a: "x\n<<<<<<< HEAD\ny"\n', "merge-conflict", 1, 0),
        ("a: 1\n=======\n", "merge-conflict", 1, 0),
        ('a: "bell \x07"\n', "control-character", 0, 9),
        ('a: "\\ud800"\n', "control-character", 0, 4),
        ('a: "\\x07"\n', "control-character", 0, 3),
        ("a: b\x7f\n", "control-character", 0, 4),
        ("a: b\x85c\n", "control-character", 0, 4),
        ("a: b\x01c\n", "control-character", 0, 4),
    ],
)
def test_refusals_are_located(text, code, line, column):
    value, error = read(text)
    assert value is None
    assert (error.code, error.line, error.column) == (code, line, column)


def test_alias_bomb_is_refused_at_once():
    lines = ['a0: &a0 ["lol"]'] + [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    start = time.perf_counter()
    value, error = read("\n".join(lines) + "\n")
    assert error.code == "yaml-anchor" and value is None
    assert time.perf_counter() - start < 5  # a generous bound: an expanded bomb would never finish


def test_deep_nesting_is_capped_without_recursion_error():
    value, error = read("[" * 10000)
    assert error.code == "yaml-syntax" and "nesting" in error.message
    block = "".join("  " * i + "k:\n" for i in range(100)) + "  " * 100 + "v\n"
    value, error = read(block)
    assert error.code == "yaml-too-deep"


def test_invalid_utf8_names_the_byte_and_shows_the_line():
    value, error = read(b"title: caf\xe9 au lait\n")
    assert error.code == "invalid-utf8"
    assert "0xE9" in error.message and "café au lait" in error.message
    assert (error.line, error.column) == (0, 10)


def test_bom_and_crlf_are_accepted():
    value, error = read(b"\xef\xbb\xbfa: 1\r\nb: x\r\n")
    assert error is None and value == {"a": 1, "b": "x"}


def test_arabic_and_rtl_marks_are_text():
    value, error = read("title: \u200fخطة العمل\n")
    assert error is None and value["title"].endswith("خطة العمل")


def test_positions_of_keys_list_items_and_missing_keys():
    data = b"title: x\nleads:\n  un: [DPA, OCHA]\n  oic:\n    - OIC-GS\n"
    pos = yamlsrc.positions(data)
    assert pos.find(("title",), want_key=True) == (0, 0)
    assert pos.find(("title",)) == (0, 7)
    assert pos.find(("leads", "un", 1)) == (2, 12)
    assert pos.find(("leads", "oic", 0)) == (4, 6)
    # a key that is not there points at the mapping that lacks it
    assert pos.find(("leads", "partners")) == (2, 2)
    assert pos.find(("nowhere", "deeper")) == (0, 0)


def test_columns_count_characters_not_bytes():
    pos = yamlsrc.positions("title: عربي\nx: [a, b]\nt2: عربي عربي: 1\n".encode())
    assert pos.find(("x", 1)) == (1, 7)


# --- the reader against PyYAML on generated documents -------------------------------------

# what a Matrix file may hold as text: no control, format (bidi), private-use, unassigned or
# surrogate code points and no line or paragraph separators (the reader refuses those, tested above)
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")), max_size=12)
# text that looks like a number, a date, a boolean or null: where a reader must respect the quotes
LOOKALIKE = st.from_regex(
    r"[-+]?[0-9]{0,4}([._:-][0-9]{0,2})?([eE][-+]?[0-9]{1,2})?", fullmatch=True
) | st.sampled_from(
    ["yes", "No", "on", "OFF", "y", "~", "null", "Null", "true", "False", "0x1f", "0b101", ".inf", "-.Inf", ".nan"]
)
# YAML 1.2's core schema numbers (uncoop reads them), written out here from the specification
NUMBER_1_2 = re.compile(
    r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
)


def only_1_2_number(text: str) -> bool:
    """1e3, 0o17, -.5: numbers in YAML 1.2 that YAML 1.1 (PyYAML) reads as text, and writes unquoted."""
    return bool(NUMBER_1_2.fullmatch(text)) and isinstance(yaml.safe_load(f"k: {text}")["k"], str)


STRING = (TEXT | LOOKALIKE).filter(lambda s: not only_1_2_number(s))
KEY = STRING.filter(lambda k: k != "<<")  # PyYAML's merge key is a YAML 1.1 extension
SCALAR = st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False) | STRING
DOCUMENT = st.dictionaries(
    KEY,
    st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEY, inner, max_size=4),
                 max_leaves=20),
    max_size=6,
)  # fmt: skip
STYLES = [{}, {"default_flow_style": True}, {"allow_unicode": True, "width": 20}, {"indent": 4, "explicit_start": True}]


@settings(max_examples=300)  # a tenth of a second per ten documents: enough to meet every style
@given(DOCUMENT, st.sampled_from(STYLES))
def test_the_reader_reads_what_pyyaml_reads_in_any_style(doc, style):
    """Block, flow, folded or indented wide, the same document gives the same values as yaml.safe_load."""
    text = yaml.safe_dump(doc, sort_keys=False, **style)
    value, error = yamlsrc.read(text.encode())
    assert error is None, (text, error)
    assert value == yaml.safe_load(text) == doc


@pytest.mark.parametrize(("plain", "number"), [("1e3", 1000.0), ("0o17", 15), ("-.5", -0.5), ("1.0e3", 1000.0)])
def test_where_yaml_1_2_and_pyyaml_part_the_reader_follows_1_2(plain, number):
    text = f"k: {plain}\n"
    assert yaml.safe_load(text) == {"k": plain}  # YAML 1.1: text
    assert yamlsrc.read(text.encode())[0] == {"k": number}
    assert only_1_2_number(plain)
