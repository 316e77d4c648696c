"""Where new gift codes come from: the community list's JSON, codes typed by admins, the
first-start rule, and the poll interval (``GIFTCODE_CHECK_INTERVAL`` as in the seed).

Pure parsing: bytes and strings in, Structs out. A malformed list is an ``InvalidInput`` and
changes nothing; one malformed entry is set aside and the others still count.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from typing import Final, Literal

import msgspec

from vouchy.core.errors import ConfigError, InvalidInput

ENV_INTERVAL: Final = "GIFTCODE_CHECK_INTERVAL"
DEFAULT_INTERVAL_S: Final = 10.0
MIN_INTERVAL_S: Final = 1.0
MAX_INTERVAL_S: Final = 86_400.0
MAX_CODE_CHARS: Final = 32
MAX_PLAYER_ID: Final = 10**12

_CODE_SHAPE: Final = re.compile(rf"[A-Za-z0-9]{{1,{MAX_CODE_CHARS}}}")
_INVISIBLE: Final = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_QUOTES: Final = "`'\"“”‘’«» "


class ListUnavailable(InvalidInput):
    """The community list could not be fetched (network, timeout, an HTTP error status)."""

    code = "giftcode_list_unavailable"

    def __init__(self, detail: str) -> None:
        super().__init__("giftcodes.list_unavailable", detail=detail[:200])


class ListedCode(msgspec.Struct, frozen=True, kw_only=True):
    """One code of a community list, with the date it was listed when the list gives one."""

    code: str
    date: str | None = None  # ISO ``YYYY-MM-DD``


class CodeList(msgspec.Struct, frozen=True, kw_only=True):
    codes: tuple[ListedCode, ...] = ()
    rejected: tuple[str, ...] = ()  # entries that are not codes (kept for the operator's log)


class NewCode(msgspec.Struct, frozen=True, kw_only=True):
    """A code Vouchy did not know: to be stored, and announced when ``announce`` is true."""

    code: str
    date: str | None
    source: Literal["list", "first_start"]
    announce: bool


def normalize_code(raw: str) -> str:
    """``" `HappyMay` "`` -> ``"HappyMay"``: invisible characters, quotes and surrounding spaces
    go, full-width letters become plain ones; case is kept (the publisher decides about it)."""
    # Invariant: what comes out is 1 to MAX_CODE_CHARS ASCII letters and digits, or a refusal.
    text = unicodedata.normalize("NFKC", str(raw)).translate(_INVISIBLE).strip(_QUOTES)
    if not _CODE_SHAPE.fullmatch(text):
        shown = text[:40] if text else str(raw)[:40]
        raise InvalidInput("giftcodes.bad_code", code=shown, max=MAX_CODE_CHARS)
    return text


def check_player_id(raw: object) -> int:
    """A game player id (``fid``): positive digits, as typed in ``/giftcode players add``."""
    text = unicodedata.normalize("NFKC", str(raw)).translate(_INVISIBLE).strip()
    if isinstance(raw, bool) or not text.isdigit() or not 0 < int(text) < MAX_PLAYER_ID:
        raise InvalidInput("giftcodes.bad_player_id", fid=text[:20])
    return int(text)


def _listed_date(text: str) -> str | None:
    try:
        return dt.datetime.strptime(text, "%d.%m.%Y").date().isoformat()
    except ValueError:
        return None


def parse_entry(entry: str) -> ListedCode:
    """``"HappyMay 01.05.2025"`` -> code and ISO date; a bad date leaves the date empty."""
    parts = str(entry).split()
    if not parts or len(parts) > 2:
        raise InvalidInput("giftcodes.bad_code", code=str(entry)[:40], max=MAX_CODE_CHARS)
    date = _listed_date(parts[1]) if len(parts) == 2 else None
    return ListedCode(code=normalize_code(parts[0]), date=date)


def parse_code_list(body: bytes | str) -> CodeList:
    """Read a community list: ``{"codes": ["CODE DD.MM.YYYY", ...]}`` or ``["CODE", ...]``.
    Duplicates count once (the first wins); entries that are not codes are set aside."""
    try:
        data = msgspec.json.decode(body.encode() if isinstance(body, str) else body)
    except msgspec.DecodeError:
        raise InvalidInput("giftcodes.bad_list", detail="not JSON") from None
    if isinstance(data, dict):
        if "codes" not in data:
            raise InvalidInput("giftcodes.bad_list", detail="no 'codes' field")
        data = data["codes"]
    if not isinstance(data, list):
        raise InvalidInput("giftcodes.bad_list", detail="'codes' is not a list")
    codes: dict[str, ListedCode] = {}
    rejected: list[str] = []
    for entry in data:
        if not isinstance(entry, str):
            rejected.append(repr(entry)[:60])
            continue
        try:
            listed = parse_entry(entry)
        except InvalidInput:
            rejected.append(entry[:60])
            continue
        codes.setdefault(listed.code, listed)
    return CodeList(codes=tuple(codes.values()), rejected=tuple(rejected))


def new_codes(
    known: Collection[str], listed: Iterable[ListedCode], *, first_start: bool
) -> list[NewCode]:
    """The listed codes not yet known, in list order. On the first start (nothing known yet,
    nothing ever polled) they are only marked known: announcing a list's whole history to every
    guild would be noise, and those codes are mostly expired."""
    # Invariant: a code already known is never new again, so it is announced at most once.
    out: list[NewCode] = []
    seen = set(known)
    for item in listed:
        if item.code in seen:
            continue
        seen.add(item.code)
        out.append(
            NewCode(
                code=item.code,
                date=item.date,
                source="first_start" if first_start else "list",
                announce=not first_start,
            )
        )
    return out


def check_interval_s(
    configured: float = DEFAULT_INTERVAL_S, env: Mapping[str, str] | None = None
) -> float:
    """The poll interval in seconds: ``GIFTCODE_CHECK_INTERVAL`` when set (as in the seed),
    else the configured value. Not a number, not finite, or outside 1 s..1 day: ConfigError."""
    raw: str | float = configured
    if env is not None and env.get(ENV_INTERVAL, "").strip():
        raw = env[ENV_INTERVAL].strip()
    try:
        seconds = float(raw)
    except (TypeError, ValueError):
        seconds = math.nan
    if not (math.isfinite(seconds) and MIN_INTERVAL_S <= seconds <= MAX_INTERVAL_S):
        raise ConfigError(
            "giftcodes.config_interval",
            value=str(raw),
            min=int(MIN_INTERVAL_S),
            max=int(MAX_INTERVAL_S),
        )
    return seconds
