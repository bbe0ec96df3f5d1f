"""Translating the Matrix: XLIFF out (`translation export`), translations back in (`translation import`).

Every refusal is performed on a real file and checked the way a user would notice a failure:
no file of the tree changes by a byte, no traceback, a non-zero exit and a message that says
where (FILE:LINE:COL).
"""

from __future__ import annotations

import difflib
import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import FIXTURE, edit, hum

NS = "urn:oasis:names:tc:xliff:document:1.2"
TITLE = "activities/humanitarian/HUM-01.yaml#title"
FRENCH_TITLE = "  fr: Plan d'action OCI-OCHA\n"
LOCATED = re.compile(r"^\S+\.xlf:\d+:\d+: error: ", re.M)


def q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def tree(root: Path) -> dict[str, str]:
    """The SHA-256 of every file under `root`, by relative path: the whole tree, byte for byte."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def export(run, lang: str = "fr", *extra: str) -> Path:
    out = Path(f"{lang}.xlf")
    result = run("translation", "export", "--lang", lang, "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out


def units(path: Path) -> dict[str, ET.Element]:
    return {u.get("id"): u for u in ET.parse(path).getroot().iter(q("trans-unit"))}


def fill(path: Path, targets: dict[str, str], rename: dict[str, str] | None = None) -> None:
    """What a translator's tool does: give units a <target> (and, to forge one, another id)."""
    ET.register_namespace("", NS)
    doc = ET.parse(path)
    for unit in doc.getroot().iter(q("trans-unit")):
        ident = unit.get("id")
        if ident in targets:
            target = ET.Element(q("target"), {"state": "translated"})
            target.text = targets[ident]
            unit.insert(1, target)
        if rename and ident in rename:
            unit.set("id", rename[ident])
    doc.write(path, encoding="utf-8", xml_declaration=True)


@pytest.fixture
def untitled(matrix_dir: Path) -> Path:
    """The fixture Matrix with HUM-01's French title removed (the one gap a round trip fills)."""
    edit(hum(matrix_dir), FRENCH_TITLE, "")
    return matrix_dir


MISSING_TITLE = re.compile(r"HUM-01\.yaml:\d+:\d+: warning\[missing-translation\] title has no fr text")


def test_round_trip_adds_one_line_and_reimport_changes_nothing(untitled: Path, run):
    assert MISSING_TITLE.search(run("validate", "--require-lang", "fr").output)
    before = tree(untitled)
    xlf = export(run)
    unit = units(xlf)[TITLE]
    assert unit.findtext(q("source")) == "OIC-OCHA Plan of Action"
    assert unit.find(q("target")) is None
    notes = [n.text for n in unit.iter(q("note"))]
    assert notes == [
        "Field: activity title",
        "Activity HUM-01: OIC-OCHA Plan of Action",
        "Area: Humanitarian Cooperation",
    ]
    fill(xlf, {TITLE: "Plan d'action OCI-OCHA"})
    untranslated = hum(untitled).read_text()

    result = run("translation", "import", str(xlf))
    assert result.exit_code == 0, result.output
    assert "1 translation(s) added; 1 file(s) changed" in result.stderr
    after = tree(untitled)
    assert {k for k in before if before[k] != after[k]} == {"activities/humanitarian/HUM-01.yaml"}
    new = hum(untitled).read_text()
    diff = difflib.unified_diff(untranslated.splitlines(), new.splitlines(), lineterm="", n=0)
    assert [d for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")] == ["+" + FRENCH_TITLE.rstrip("\n")]
    # the line added is the one removed, in its place: the file is the fixture's again, comments kept
    assert new == (FIXTURE / "activities/humanitarian/HUM-01.yaml").read_text()

    checked = run("validate", "--require-lang", "fr").output
    assert re.search(r"HUM-01\.yaml:\d+:\d+: warning\[missing-translation\] milestones\[0\]\.title has no fr", checked)
    assert not MISSING_TITLE.search(checked)

    again = run("translation", "import", str(xlf))
    assert again.exit_code == 0, again.output
    assert "0 translation(s) added; 0 file(s) changed" in again.stderr
    assert tree(untitled) == after


def test_one_line_changed_when_the_title_was_plain_english(matrix_dir: Path, run):
    """A plain (English) milestone title becomes a language map: its text kept, one line more."""
    ident = "activities/humanitarian/HUM-01.yaml#milestones.M1.title"
    xlf = export(run)
    fill(xlf, {ident: "Groupe de travail de haut niveau constitué"})
    old = hum(matrix_dir).read_text()
    assert run("translation", "import", str(xlf)).exit_code == 0
    new = hum(matrix_dir).read_text()
    diff = difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0)
    assert [d for d in diff if d[:1] in "+-" and d[:3] not in ("+++", "---")] == [
        "-    title: High-level working group formed",
        "+    title:",
        "+      en: High-level working group formed",
        "+      fr: Groupe de travail de haut niveau constitué",
    ]
    result = run("validate", "--require-lang", "fr")
    assert "milestones[0].title has no fr" not in "\n".join(
        line for line in result.output.splitlines() if "HUM-01" in line
    )


def _refused(run, root: Path, xlf: Path, expect: str, *extra: str) -> str:
    """Import, expect a refusal, and check every file under `root`. The record cache (refreshed by
    any read of a changed Matrix) is left alone here, so not one file may appear or change."""
    before = tree(root)
    result = run("translation", "import", str(xlf), *extra, env={"UNCOOP_NO_CACHE": "1"})
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    assert expect in result.stderr, result.stderr
    assert LOCATED.search(result.stderr), result.stderr
    assert tree(root) == before
    return result.stderr


def test_unknown_id_is_refused(untitled: Path, run):
    xlf = export(run)
    forged = "activities/humanitarian/HUM-01.yaml#milestones.M9.title"
    fill(xlf, {TITLE: "Plan d'action OCI-OCHA"}, rename={TITLE: forged})
    err = _refused(run, untitled.parent, xlf, f"unit '{forged}' names no text of this Matrix")
    assert "nothing was written" in err


def test_source_changed_since_export_is_refused(untitled: Path, run):
    xlf = export(run)
    fill(xlf, {TITLE: "Plan d'action OCI-OCHA"})
    edit(hum(untitled), "en: OIC-OCHA Plan of Action", "en: OIC-OCHA Joint Plan of Action")
    _refused(run, untitled.parent, xlf, f"the en text of '{TITLE}' has changed since the export")


@pytest.mark.parametrize(
    ("target", "expect"),
    [
        ("  \n ", "has an empty target"),
        ("Plan\u0085d'action", "U+0085 (a control character)"),
        ("Plan&#13;d'action", "U+000D (a control character)"),
        ("Plan d'action \u202eAHCO-ICO", "U+202E (a bidirectional control"),
        ("خطة عمل منظمة التعاون الإسلامي", "a fr translation written in Arabic letters"),
    ],
    ids=["empty", "C1-control", "carriage-return", "bidi-override", "arabic-in-french"],
)
def test_bad_target_is_refused_and_other_good_units_are_not_written(untitled: Path, run, target: str, expect: str):
    xlf = export(run)
    milestone = "activities/humanitarian/HUM-01.yaml#milestones.M2.title"
    fill(xlf, {milestone: "Groupe de travail technique constitué", TITLE: "@@TARGET@@"})
    xlf.write_text(xlf.read_text().replace("@@TARGET@@", target))
    line = next(n for n, text in enumerate(xlf.read_text().splitlines(), 1) if f'id="{TITLE}"' in text)
    err = _refused(run, untitled.parent, xlf, expect)
    assert f"fr.xlf:{line}:" in err  # the line of the unit at fault


def test_arabic_target_without_arabic_letters_is_refused(matrix_dir: Path, run):
    edit(hum(matrix_dir), "  fr: Plan d'action OCI-OCHA\n", "")
    xlf = export(run, "ar")
    assert TITLE in units(xlf)
    fill(xlf, {TITLE: "Plan of Action OIC-OCHA"})
    _refused(run, matrix_dir.parent, xlf, "an Arabic translation without a single Arabic letter")


def test_target_over_the_width_of_its_field_is_refused(matrix_dir: Path, run):
    ident = "activities/humanitarian/HUM-01.yaml#indicators.I1.unit"
    xlf = export(run)
    assert units(xlf)[ident].get("maxwidth") == "80"
    fill(xlf, {ident: "réunion " * 11})
    _refused(run, matrix_dir.parent, xlf, "over the 80 its field allows")


XXE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2">
  <file original="activities/humanitarian/HUM-01.yaml" source-language="en" target-language="fr" datatype="plaintext">
    <body>
      <trans-unit id="activities/humanitarian/HUM-01.yaml#title">
        <source>OIC-OCHA Plan of Action</source>
        <target>&e;</target>
      </trans-unit>
    </body>
  </file>
</xliff>
"""

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + str(i - 1 or "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
    + XXE.split("\n", 2)[2].replace("&e;", "&lol9;")
)


@pytest.mark.parametrize("text", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_hostile_xml_is_refused_before_anything_is_expanded(untitled: Path, run, text: str):
    xlf = Path("hostile.xlf")
    xlf.write_text(text)
    err = _refused(run, untitled.parent, xlf, "declares a DTD")
    assert "root:" not in err and "lol" not in err  # neither /etc/passwd nor an expansion shows
    assert "hostile.xlf:2:" in err  # the line of the declaration


def test_a_file_over_the_size_limit_is_refused_unread(untitled: Path, run, tmp_path_factory):
    from uncoop.xliff import MAX_XLIFF_BYTES

    incoming = tmp_path_factory.mktemp("incoming")  # outside the hashed tree: never read whole
    for size in (MAX_XLIFF_BYTES + 1, 1 << 32):  # just over, and 4 GiB (sparse: no disk used)
        xlf = incoming / f"big-{size}.xlf"
        with xlf.open("wb") as handle:
            handle.truncate(size)
        err = _refused(run, untitled.parent, xlf, f"over the {MAX_XLIFF_BYTES:,}")
        assert f"{xlf}:1:1:" in err


def test_one_bad_file_among_several_writes_nothing(untitled: Path, run):
    good = export(run)
    fill(good, {TITLE: "Plan d'action OCI-OCHA"})
    bad = Path("bad.xlf")
    bad.write_text(XXE)
    _refused(run, untitled.parent, bad, "declares a DTD")
    before = tree(untitled.parent)
    result = run("translation", "import", str(good), str(bad), env={"UNCOOP_NO_CACHE": "1"})
    assert result.exit_code == 1 and tree(untitled.parent) == before


def test_dry_run_shows_the_change_and_writes_nothing(untitled: Path, run):
    xlf = export(run)
    fill(xlf, {TITLE: "Plan d'action OCI-OCHA"})
    before = tree(untitled.parent)
    result = run("translation", "import", str(xlf), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "+  fr: Plan d'action OCI-OCHA" in result.stdout
    assert "1 translation(s) to add; 1 file(s) would change" in result.stderr
    assert tree(untitled.parent) == before


def test_export_is_deterministic(matrix_dir: Path, run):
    first = export(run).read_bytes()
    second = export(run).read_bytes()
    assert first == second
    revision = export(run, "fr", "--only", "all").read_bytes()
    assert revision == export(run, "fr", "--only", "all").read_bytes()
    assert len(units(Path("fr.xlf"))[TITLE].findall(q("target"))) == 1  # for revision: the French there
    assert revision != first


def test_translate_toolkit_reads_the_same_units_and_its_file_imports(untitled: Path, run):
    from translate.storage import xliff

    xlf = export(run)
    ours = units(xlf)
    store = xliff.xlifffile.parsefile(str(xlf))
    theirs = {u.getid().split("\x04", 1)[1]: u for u in store.units if not u.isheader()}
    assert list(theirs) == list(ours) and len(ours) > 20
    assert {k: u.source for k, u in theirs.items()} == {k: u.findtext(q("source")) for k, u in ours.items()}
    assert (store.getsourcelanguage(), store.gettargetlanguage()) == ("en", "fr")
    assert "Field: activity title" in theirs[TITLE].getnotes()

    # the second client fills a target and saves; uncoop imports what it wrote
    theirs[TITLE].settarget("Plan d'action OCI-OCHA")
    xlf.write_bytes(bytes(store))
    result = run("translation", "import", str(xlf))
    assert result.exit_code == 0, result.output
    assert hum(untitled).read_text() == (FIXTURE / "activities/humanitarian/HUM-01.yaml").read_text()


def test_a_unit_given_twice_in_two_files_is_refused(untitled: Path, run):
    first = export(run)
    second = Path("fr-again.xlf")
    second.write_bytes(first.read_bytes())
    fill(first, {TITLE: "Plan d'action OCI-OCHA"})
    fill(second, {TITLE: "Plan d'action de l'OCI et de l'OCHA"})
    before = tree(untitled.parent)
    result = run("translation", "import", str(first), str(second), env={"UNCOOP_NO_CACHE": "1"})
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert re.search(rf"^fr-again\.xlf:\d+:\d+: error: unit '{re.escape(TITLE)}' appears twice", result.stderr, re.M)
    assert tree(untitled.parent) == before


def test_a_missing_file_or_a_link_is_refused_with_its_name(untitled: Path, run):
    good = export(run)
    Path("link.xlf").symlink_to(good.resolve())
    for name in ("nowhere.xlf", "link.xlf"):
        err = _refused(run, untitled.parent, Path(name), "not a readable regular file")
        assert err.startswith(f"{name}:1:1: error: ")
