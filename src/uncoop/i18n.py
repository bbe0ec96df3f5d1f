"""Languages: data text in the chosen language with a visible fallback, and uncoop's own words.

The OIC works in Arabic, English and French.  A text field is a plain string
(English) or a map of languages.  `localized` picks the chosen language and,
when it is missing, falls back to English (or any language the text has) and
says so: the value remembers the language it is really in, and both renderers
mark it (`<span lang=… class=fallback>` in HTML, `(en)` in Markdown).

uncoop's own words come from gettext catalogs (`locale/<lang>/LC_MESSAGES/
uncoop.po`, maintained with Babel).  They are compiled in memory when a
language is first used, so there is no build step and no binary in the repository.
"""

from __future__ import annotations

import gettext
import io
import re
from datetime import date
from functools import cache, lru_cache
from html import escape
from pathlib import Path
from typing import Any

from .vocab import STATUSES

NAMES = {"en": "English", "fr": "français", "ar": "العربية"}
RTL = frozenset(("ar",))
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "uncoop"


def N_(message: str) -> str:
    """Marks a word for the catalogs (babel.cfg extracts N_ calls); translated where it is shown."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Marks a counted message for the catalogs (extracted with its plural, as ngettext is);
    the count picks the form where it is shown (`Language.ngettext`)."""
    return singular, plural


class LText(str):
    """Text in some language; `fallback` is the language it is in when not the one asked for."""

    fallback: str | None = None

    def __html__(self) -> str:
        text = escape(str(self), quote=False)
        if not self.fallback:
            return text
        direction = ' dir="rtl"' if self.fallback in RTL else ' dir="ltr"'
        return (
            f'<span lang="{self.fallback}"{direction} class="fallback">{text}</span>'
            f'<sup class="fallback-mark" aria-label="{NAMES[self.fallback]}">{self.fallback}</sup>'
        )


def localized(value: str | dict[str, str] | None, lang: Language) -> LText:
    """The text in `lang`, else in English, else in any language it has; marked when it fell back."""
    if value is None:
        return LText("")
    if isinstance(value, str):
        text, used = value, "en"
    elif lang in value:
        text, used = value[lang], lang
    else:
        used = "en" if "en" in value else next(iter(value))
        text = value[used]
    result = LText(text)
    if used != lang and text:
        result.fallback = used
    return result


@cache
def country_name(code: str, lang: Language) -> str:
    """A country's short name in `lang`, from the ISO 3166-1 list and its translations that
    pycountry ships: the common name where one is used (Syria, Iran), else the ISO name; in
    French or Arabic the translation of the common name, or of the ISO name where the common
    name has none."""
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    names = [n for n in (getattr(country, "common_name", None), country.name) if n]
    if lang == "en":
        return _UN_USAGE.get((code, lang), names[0])
    if (code, lang) in _UN_USAGE:
        return _UN_USAGE[code, lang]
    local = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang], fallback=True)
    known = getattr(local, "_catalog", {})  # a name translated the same (Iran) is still translated
    for name in names:
        if name in known:
            return local.gettext(name).replace(SHADDA, "")
    return names[0]


# where the UN's own short name differs from the ISO list's translation (UNTERM)
_UN_USAGE = {
    ("PS", "en"): "State of Palestine",
    ("PS", "fr"): "État de Palestine",
    ("MM", "fr"): "Myanmar",
    ("IQ", "fr"): "Iraq",
    ("SY", "fr"): "République arabe syrienne",
    ("IR", "fr"): "Iran (République islamique d')",
    ("IR", "ar"): "جمهورية إيران الإسلامية",  # the ISO list's "إيران، الجمهورية…" reads as two countries in a list
    ("CF", "ar"): "جمهورية أفريقيا الوسطى",
}
SHADDA = "\u0651"  # United Nations Arabic writes names unvocalized: السودان, not السّودان


NNBSP = "\u202f"  # espace fine insécable
_BEFORE = re.compile(r"(?:(?<=\S)|^)[ \u00a0]?([;:!?])(?=\s|$|[)»*_])")  # not "https://", "12:30"
_PERCENT = re.compile(r"(?<=[\ds)])[ \u00a0]?(%%|%(?![(%a-z]))")  # "45 %", "%(p)s %%"
_OPEN, _CLOSE = re.compile(r"«[ \u00a0]?"), re.compile(r"[ \u00a0]?»")


def french_typography(text: str) -> str:
    """A narrow no-break space before ; : ! ? and %, and inside « », as French printing wants
    them: never a line break before the sign, never the sign glued to the word."""
    text = _BEFORE.sub(NNBSP + r"\1", text)
    text = _PERCENT.sub(NNBSP + r"\1", text)
    return _CLOSE.sub(NNBSP + "»", _OPEN.sub("«" + NNBSP, text))


def percent(value: float, lang: Language) -> str:
    """'45%', '45\u202f%' in French (the sign never alone at the start of a line)."""
    return f"{value:g}" + (NNBSP + "%" if lang == "fr" else "%")


# each language's typography, applied to its catalog once when it is compiled (one home)
TYPOGRAPHY = {"fr": french_typography}


@cache
def translations(lang: Language) -> gettext.NullTranslations:
    """uncoop's own words in `lang`, compiled in memory from the .po catalog."""
    if lang == "en":
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    typeset = TYPOGRAPHY.get(lang)
    if typeset is not None:
        for message in catalog:
            if not message.id:  # the header
                continue
            if isinstance(message.string, str):
                message.string = typeset(message.string)
            elif message.string:  # plural forms
                message.string = tuple(typeset(text) for text in message.string)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


# the UN's Arabic month names: the Syriac name and the Latin one, as United Nations documents write them
UN_ARABIC_MONTHS = (
    "كانون الثاني/يناير", "شباط/فبراير", "آذار/مارس", "نيسان/أبريل", "أيار/مايو", "حزيران/يونيه",
    "تموز/يوليه", "آب/أغسطس", "أيلول/سبتمبر", "تشرين الأول/أكتوبر", "تشرين الثاني/نوفمبر", "كانون الأول/ديسمبر",
)  # fmt: skip


@lru_cache(maxsize=4096)  # a reminder run formats the same few due dates once per institution
def long_date(day: date, lang: Language) -> str:
    """'31 March 2016' (the UN's style, not 'March 31, 2016'), '31 mars 2016', '31 آذار/مارس 2016'."""
    from babel.dates import format_date

    if lang == "ar":
        return f"{day.day} {UN_ARABIC_MONTHS[day.month - 1]} {day.year}"
    return format_date(day, format="d MMMM y" if lang == "en" else "long", locale=lang)


def month_year(day: date, lang: Language) -> str:
    """'March 2016', 'mars 2016', 'آذار/مارس 2016'."""
    from babel.dates import format_date

    if lang == "ar":
        return f"{UN_ARABIC_MONTHS[day.month - 1]} {day.year}"
    return format_date(day, format="LLLL y", locale=lang)


# The extractor sees only literal N_("...") calls: each status word is spelt out once here.
STATUS_WORDS = dict(
    zip(
        STATUSES,
        (N_("pipeline"), N_("implementation"), N_("finalisation"), N_("closed"), N_("cancelled"), N_("suspended")),
        strict=True,
    )
)

QUARTERS = (N_("Q1 %(year)s"), N_("Q2 %(year)s"), N_("Q3 %(year)s"), N_("Q4 %(year)s"))


def quarter_text(year: int, number: int, lang: Language) -> str:
    """'Q2 2016', 'T2 2016', 'الربع الثاني 2016'."""
    return translations(lang).gettext(QUARTERS[number - 1]) % {"year": year}


def when(value: Any, lang: Language) -> str:
    """A day, month or quarter as written in the Matrix (dates.FlexDate), in words of `lang`."""

    if hasattr(value, "number") and hasattr(value, "year"):  # a dates.Quarter
        return quarter_text(value.year, value.number, lang)
    precision, start = getattr(value, "precision", "day"), getattr(value, "start", value)
    if precision == "quarter":
        return quarter_text(start.year, (start.month - 1) // 3 + 1, lang)
    if precision == "month":
        return month_year(start, lang)
    return long_date(start, lang)


def number(value: float, lang: Language) -> str:
    from babel.numbers import format_decimal

    return format_decimal(round(value), locale=lang)


class Language(str):
    """One language of the Matrix, built once per run by the CLI and passed down: its code (the
    string itself, so it keys a text map and prints as `fr`), its name and direction, and every
    way uncoop writes for it: its own words with CLDR plural forms (six in Arabic), dates,
    quarters, numbers, percentages, lists and durations."""

    __slots__ = ()

    def __new__(cls, code: str) -> Language:
        if code not in NAMES:
            raise ValueError(f"unknown language {code!r}: uncoop writes {', '.join(NAMES)}")
        return super().__new__(cls, code)

    @property
    def name(self) -> str:
        return NAMES[self]

    @property
    def rtl(self) -> bool:
        return self in RTL

    @property
    def direction(self) -> str:
        return "rtl" if self.rtl else "ltr"

    @property
    def comma(self) -> str:
        """The list separator as the language writes it ('، ' in Arabic)."""
        return "، " if self.rtl else ", "

    def gettext(self, message: str) -> str:
        return translations(self).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The form CLDR's plural rule picks for `n` (the catalog's Plural-Forms)."""
        return translations(self).ngettext(singular, plural, n)

    def date(self, day: date) -> str:
        return long_date(day, self)

    def when(self, value: Any) -> str:
        return when(value, self)

    def number(self, value: float) -> str:
        return number(value, self)

    def percent(self, value: float) -> str:
        return percent(value, self)

    def list(self, items: list[str]) -> str:
        """'A, B and C', 'A, B et C', 'A وB وC' (Babel's CLDR list patterns)."""
        from babel.lists import format_list

        return format_list(items, locale=str(self)) if items else ""

    def days(self, n: int) -> str:
        """'1 day', '46 days', '46 jours', 'يومًا 46' — a duration as the catalog spells it."""
        return self.ngettext("%(num)d day", "%(num)d days", n) % {"num": n}


@cache
def language(code: str) -> Language:
    """The one Language object for `code` in this process."""
    return Language(code)


EN = language("en")
