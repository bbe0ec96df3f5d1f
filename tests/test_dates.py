"""Quarter arithmetic, checked as properties: every quarter of the three centuries a Matrix may name behaves."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from uncoop.dates import Quarter, quarters

QUARTERS = st.builds(Quarter, st.integers(1900, 2199), st.integers(1, 4))  # the years a Matrix may name
DAYS = st.dates(date(1900, 1, 1), date(2199, 12, 31))


@given(QUARTERS)
def test_next_and_previous_undo_each_other_and_touch(q):
    assert q.next().previous() == q == q.previous().next()
    assert q.next().start == q.end + timedelta(days=1)
    assert q < q.next() and q.previous() < q


@given(QUARTERS)
def test_a_quarter_is_three_months_that_it_alone_holds(q):
    assert Quarter.of(q.start) == q == Quarter.of(q.end)
    assert (q.start.month - 1) % 3 == 0 and q.start.day == 1
    assert 90 <= (q.end - q.start).days + 1 <= 92


@given(DAYS)
def test_every_day_lies_in_the_quarter_of_it(day):
    q = Quarter.of(day)
    assert q.start <= day <= q.end


@given(QUARTERS)
def test_text_round_trips(q):
    assert Quarter.parse(str(q)) == q


@given(QUARTERS, QUARTERS)
def test_order_is_the_order_of_the_days_and_quarters_fills_the_span(a, b):
    assert (a < b) == (a.start < b.start)
    span = quarters(a, b)
    assert span == ([] if b < a else [a, *quarters(a.next(), b)])
    if span:
        assert span[0] == a and span[-1] == b
        assert all(x.next() == y for x, y in zip(span, span[1:], strict=False))
        assert len(span) == 4 * (b.year - a.year) + b.number - a.number + 1
