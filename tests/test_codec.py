"""The cache's codec, as a property: any update the schema accepts comes back from the cache's
bytes equal to what was parsed, findings and positions included."""

from __future__ import annotations

from datetime import date

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from uncoop.parse import parse_record
from uncoop.store import decode_entry, encode_entry
from uncoop.vocab import STATUSES

TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")), min_size=1, max_size=30)
PROSE = TEXT | st.dictionaries(st.sampled_from(["en", "fr", "ar"]), TEXT, min_size=1)
DAY = st.dates(date(2014, 7, 1), date(2016, 12, 31)).map(date.isoformat)
ENTRY = st.fixed_dictionaries(
    {
        "activity": st.from_regex(r"HUM-0[1-9]", fullmatch=True),
        "status": st.sampled_from(sorted(STATUSES)),
        "progress": st.integers(0, 100) | st.floats(0, 100, allow_nan=False),
    },
    optional={
        "narrative": PROSE,
        "progress_note": PROSE,
        "milestones_done": st.dictionaries(st.sampled_from(["M1", "M2", "M3"]), DAY, max_size=2),
        "indicators": st.dictionaries(st.sampled_from(["I1", "I2"]), st.integers(0, 10**6) | st.floats(0, 1e6)),
    },
)
UPDATE = st.fixed_dictionaries(
    {
        "organization": st.sampled_from(["OCHA", "ICHAD", "UNHCR"]),
        "period": st.sampled_from(["2014-Q3", "2014-Q4", "2015-Q1"]),
        "submitted": DAY,
        "entries": st.lists(ENTRY, max_size=4),
    }
)


@settings(max_examples=200)  # each example is a real parse and validation
@given(UPDATE, st.booleans())
def test_an_update_comes_back_from_the_cache_as_it_was_parsed(update, flow):
    data = yaml.safe_dump(update, allow_unicode=True, sort_keys=False, default_flow_style=flow).encode()
    record, problems, positions = parse_record("updates/2014-Q3/OCHA.yaml", data, "update")
    found = None  # the locations a run looked up, as the cache keeps them: (key path, key?) -> mark
    if positions is not None:
        found = {(path, False): mark for path, mark in positions.values.items()}
        found |= {(path, True): mark for path, mark in positions.keys.items()}
    raw = encode_entry("update", record, problems, found)
    assert raw is not None  # every value the schema accepts is one the codec carries
    back = decode_entry("update", raw)
    assert (back.record, back.problems, back.positions) == (record, problems, found)
