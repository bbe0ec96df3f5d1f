"""Dates of day, month or quarter precision, and reporting quarters.

The Matrix often knows only "by June 2015" or "in 2015-Q2".  A `FlexDate`
keeps what was written and counts from the *end* of its period when judging
lateness, so "due 2015-06" is overdue from 1 July 2015.  Standard library only.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

# Years uncoop accepts anywhere (dates in files, --as-of, --period).  Bounded so that no valid
# Matrix can ask for a grid of thousands of years, and date arithmetic never overflows.
MIN_YEAR, MAX_YEAR = 1900, 2199


def _check_year(text: str, year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"'{text}' is outside the years {MIN_YEAR}-{MAX_YEAR}")


_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})\Z")
_MONTH = re.compile(r"(\d{4})-(\d{2})\Z")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])\Z")


@dataclass(frozen=True, slots=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = _QUARTER.match(text.strip())
        if not match:
            raise ValueError(f"'{text}' is not a quarter; write it like 2015-Q1")
        _check_year(text, int(match.group(1)))
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        month = 3 * self.number
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


def quarters(first: Quarter, last: Quarter) -> list[Quarter]:
    result = []
    while first <= last:
        result.append(first)
        first = first.next()
    return result


@dataclass(frozen=True, slots=True)
class FlexDate:
    """A day, month or quarter as written; `start` and `end` bound it."""

    text: str
    start: date
    end: date

    @property
    def precision(self) -> str:
        return "day" if len(self.text) == 10 else ("quarter" if "Q" in self.text else "month")

    @classmethod
    def parse(cls, value: str | date) -> FlexDate:
        if isinstance(value, date):
            _check_year(value.isoformat(), value.year)
            return cls(value.isoformat(), value, value)
        text = value.strip()
        for pattern, build in ((_DAY, _day), (_MONTH, _month), (_QUARTER, _quarter)):
            match = pattern.match(text)
            if match:
                _check_year(text, int(match.group(1)))
                return build(text, *(int(g) for g in match.groups()))
        raise ValueError(f"'{text}' is not a date; write 2015-06-30, 2015-06 or 2015-Q2")

    def __str__(self) -> str:
        return self.text


def _day(text: str, year: int, month: int, day: int) -> FlexDate:
    try:
        value = date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a calendar date") from None
    return FlexDate(text, value, value)


def _month(text: str, year: int, month: int) -> FlexDate:
    if not 1 <= month <= 12 or year < 1:
        raise ValueError(f"'{text}' is not a calendar month")
    last = calendar.monthrange(year, month)[1]
    return FlexDate(text, date(year, month, 1), date(year, month, last))


def _quarter(text: str, year: int, number: int) -> FlexDate:
    quarter = Quarter(year, number)
    return FlexDate(text, quarter.start, quarter.end)


def parse_day(value: str | date) -> date:
    """A date that must be a single day (e.g. when a report was submitted)."""
    flex = FlexDate.parse(value)
    if flex.precision != "day":
        raise ValueError(f"'{flex.text}' must be a day, like 2015-06-30")
    return flex.start


def days(n: int) -> timedelta:
    return timedelta(days=n)
