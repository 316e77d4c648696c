"""English and French: every text a person reads, by key, in both languages.

Each feature keeps its texts in one catalog (``{key: {"en": ..., "fr": ...}}``) and registers
it with ``register``; a catalog that lacks a language is refused at import, so a missing
translation fails loudly instead of showing a key. The language is the member's locale when
Vouchy speaks it, else the guild's preferred locale, else English (``pick``).

Values are formatted for the language: whole numbers with the locale's grouping (``1,234`` /
``1 234``), durations in hours and minutes that never read "23h 60m".
"""

from __future__ import annotations

import math
from collections.abc import Mapping

LOCALES = ("en", "fr")
DEFAULT = "en"

Catalog = Mapping[str, Mapping[str, str]]

_TEXTS: dict[str, Mapping[str, str]] = {}

# French groups thousands with a narrow no-break space (CLDR), English with a comma.
_GROUPING = {"en": ",", "fr": "\u202f"}
_DECIMAL = {"en": ".", "fr": ","}


class MissingTranslation(Exception):
    """A catalog entry without every language, or a key registered twice."""


def register(catalog: Catalog) -> Catalog:
    """Add a feature's texts; refuse an entry missing a language or a key already taken."""
    for key, texts in catalog.items():
        missing = [lang for lang in LOCALES if not texts.get(lang)]
        if missing:
            raise MissingTranslation(f"text {key!r} lacks {', '.join(missing)}")
        if key in _TEXTS and _TEXTS[key] != texts:
            raise MissingTranslation(f"text {key!r} is registered twice")
    _TEXTS.update(catalog)
    return catalog


def has(key: str) -> bool:
    return key in _TEXTS


def keys() -> list[str]:
    return sorted(_TEXTS)


def pick(*locales: str | None) -> str:
    """The first of ``locales`` Vouchy speaks (``"fr"``, ``"en-US"``...), else English."""
    for locale in locales:
        if locale:
            base = str(locale).split("-")[0].split("_")[0].lower()
            if base in LOCALES:
                return base
    return DEFAULT


def number(n: int | float, locale: str = DEFAULT) -> str:
    """``1234567`` -> ``1,234,567`` (en) or ``1 234 567`` (fr); floats keep two decimals."""
    lang = pick(locale)
    if isinstance(n, float) and not n.is_integer():
        whole = f"{n:,.2f}"
        return whole.replace(",", "\0").replace(".", _DECIMAL[lang]).replace("\0", _GROUPING[lang])
    return f"{int(n):,}".replace(",", _GROUPING[lang])


def duration(seconds: float, locale: str = DEFAULT) -> str:
    """A wait in whole minutes rounded up: ``23h 59m``, ``24h``, ``5m`` (``23 h 59 min`` in
    French). Rounding happens once, on the total, so the minutes never reach 60."""
    minutes = max(1, math.ceil(seconds / 60 - 1e-9))
    hours, minutes = divmod(minutes, 60)
    h, m = ("h", "min") if pick(locale) == "fr" else ("h", "m")
    sep = " " if pick(locale) == "fr" else ""
    parts = []
    if hours:
        parts.append(f"{hours}{sep}{h}")
    if minutes:
        parts.append(f"{minutes}{sep}{m}")
    return " ".join(parts)


def text(key: str, locale: str = DEFAULT, /, **params: object) -> str:
    """The text for ``key`` in ``locale`` with ``params`` filled in (whole numbers grouped
    for the locale, but not ``*id`` values). A key that is not registered is taken as the
    text itself."""
    lang = pick(locale)
    entry = _TEXTS.get(key)
    template = entry[lang] if entry is not None else key
    if not params:
        return template
    # Whole numbers are grouped for the language, except ids (a mention must stay digits).
    values = {
        name: number(v, lang)
        if isinstance(v, int) and not isinstance(v, bool) and not name.endswith("id")
        else v
        for name, v in params.items()
    }
    return template.format(**values)


def localizations(key: str) -> dict[str, str]:
    """Every language's text for ``key`` (for Discord's command localizations)."""
    entry = _TEXTS.get(key)
    if entry is None:
        raise MissingTranslation(f"no text {key!r}")
    return dict(entry)
