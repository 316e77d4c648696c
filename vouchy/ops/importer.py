"""Moving in from older bots: the rules for reading their balance files, checked whole.

A file is parsed and validated completely before anything is written: a malformed file (bad
JSON or CSV, a points value that is not a whole number or is negative, a user id that is not
a Discord snowflake, a user listed twice, a missing column) is refused with the line or key
at fault, and the database is never touched. Writing is ``vouchy.store.bulk``'s job.

Each balance becomes one ``import`` ledger row whose reference is
``import:<sha256 of the file, 16 hex>:<user id>``, so the same file imported twice changes
nothing the second time.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.store.bulk import IMPORT_PREFIX as REFERENCE_PREFIX
from vouchy.store.schema import MAX_ABS_DELTA

# The most points one imported balance may hold: the schema's bound on one ledger movement.
MAX_POINTS = MAX_ABS_DELTA
_SNOWFLAKE = re.compile(r"[1-9][0-9]{0,18}")
# Column names older bots and spreadsheets use, after lower-casing and turning spaces and
# hyphens into underscores.
USER_COLUMNS = (
    "user_id",
    "userid",
    "user",
    "id",
    "discord_id",
    "discordid",
    "member_id",
    "memberid",
    "member",
    "uid",
)
POINTS_COLUMNS = ("points", "balance", "point", "pts", "score", "coins", "amount", "total_points")


class ImportRefused(InvalidInput):
    """The file is malformed: nothing was written."""

    code = "import_refused"


class Balance(msgspec.Struct, frozen=True):
    user_id: int
    points: int
    where: str  # the key or line it came from, for messages


class ImportFile(msgspec.Struct, frozen=True):
    """A validated file: its digest (for references) and one balance per user."""

    name: str
    digest: str  # sha256 of the file's bytes, hex
    balances: list[Balance]

    @property
    def reference_tag(self) -> str:
        return self.digest[:16]

    def reference(self, user_id: int) -> str:
        return import_reference(self.digest, user_id)


def import_reference(digest: str, user_id: int) -> str:
    return f"{REFERENCE_PREFIX}{digest[:16]}:{user_id}"


def parse_reference(reference: str) -> tuple[str, int] | None:
    """``import:<tag>:<user>`` -> (tag, user id); None for any other reference."""
    if not reference.startswith(REFERENCE_PREFIX):
        return None
    tag, _, user = reference[len(REFERENCE_PREFIX) :].partition(":")
    if not tag or not user.isdigit():
        return None
    return tag, int(user)


def read_file(path: str | Path) -> bytes:
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise ImportRefused(f"{p}: no such file") from None
    except IsADirectoryError:
        raise ImportRefused(f"{p}: is a directory, not a file") from None
    except OSError as e:
        raise ImportRefused(f"{p}: cannot be read ({e.strerror})") from None


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportRefused(
            f"{name}: not UTF-8 text (byte {e.start}); nothing was imported"
        ) from None


def _user_id(raw: object, name: str, where: str) -> int:
    text = raw.strip() if isinstance(raw, str) else raw
    if not isinstance(text, str) or not _SNOWFLAKE.fullmatch(text) or int(text) >= 2**63:
        raise ImportRefused(
            f"{name}: {where}: user id {raw!r} is not a Discord id "
            "(a positive whole number of up to 19 digits); nothing was imported"
        )
    return int(text)


def _points(raw: object, name: str, where: str) -> int:
    if isinstance(raw, str):  # CSV cells, and JSON files that quoted their numbers
        text = raw.strip()
        value: object = int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else raw
    else:
        value = raw
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 150.0 from a JavaScript bot's JSON.stringify is 150
    if isinstance(value, bool) or not isinstance(value, int):
        shown = "empty" if raw is None or raw == "" else repr(raw)
        raise ImportRefused(
            f"{name}: {where}: the points are {shown}, not a whole number; nothing was imported"
        )
    if value < 0:
        raise ImportRefused(f"{name}: {where}: points {value} is negative; nothing was imported")
    if value > MAX_POINTS:
        raise ImportRefused(
            f"{name}: {where}: points {value} is more than {MAX_POINTS:,}; nothing was imported"
        )
    return value


def _checked(name: str, data: bytes, rows: Iterable[tuple[object, object, str]]) -> ImportFile:
    """Validate (user, points, where) triples: snowflakes, whole points, no user twice."""
    seen: dict[int, str] = {}
    balances = []
    for raw_user, raw_points, where in rows:
        user = _user_id(raw_user, name, where)
        points = _points(raw_points, name, where)
        if user in seen:
            raise ImportRefused(
                f"{name}: {where}: user {user} is listed twice (first at {seen[user]}); "
                "nothing was imported"
            )
        seen[user] = where
        balances.append(Balance(user, points, where))
    return ImportFile(name=name, digest=hashlib.sha256(data).hexdigest(), balances=balances)


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs, in file order, duplicates kept."""


def parse_points_json(data: bytes, name: str = "points.json") -> ImportFile:
    """``{"<user id>": 150, ...}`` or ``{"<user id>": {"points": 150, ...}, ...}``.

    The older Vouchy bot kept ``/app/data/points.json`` in one of these two shapes; other
    fields beside ``points`` (names, timestamps) are ignored.
    """
    text = _text(data, name)
    try:
        # Pairs, not a dict: json.loads would silently keep only the last of a duplicate key.
        document = json.loads(text, object_pairs_hook=_Pairs)
    except json.JSONDecodeError as e:
        raise ImportRefused(
            f"{name}: line {e.lineno} column {e.colno}: not valid JSON ({e.msg}); "
            "nothing was imported"
        ) from None
    if not isinstance(document, _Pairs):
        raise ImportRefused(
            f"{name}: line 1: expected an object of user id to points; nothing was imported"
        )

    def rows() -> Iterable[tuple[object, object, str]]:
        for key, value in document:
            where = f"key {key!r}"
            if isinstance(value, _Pairs):  # {"points": 150, "username": ...}
                fields = dict(value)
                if "points" not in fields:
                    raise ImportRefused(
                        f'{name}: {where}: the object has no "points" field; nothing was imported'
                    )
                value = fields["points"]
            if isinstance(value, _Pairs):
                value = dict(value)
            yield key, value, where

    return _checked(name, data, rows())


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    normal = [re.sub(r"[\s\-]+", "_", h.strip().lower()) for h in header]
    for wanted in names:
        if wanted in normal:
            return normal.index(wanted)
    return None


def parse_csv(data: bytes, name: str = "points.csv") -> ImportFile:
    """A header row naming a user id column and a points column (``user_id,points``, or a
    common alias such as ``id``, ``discord_id``, ``balance``), then one member per line."""
    text = _text(data, name)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = next((d for d in (",", ";", "\t") if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
    except csv.Error as e:
        raise ImportRefused(f"{name}: line {reader.line_num}: {e}; nothing was imported") from None
    if header is None:
        raise ImportRefused(
            f"{name}: the file is empty; expected a header row such as user_id,points"
        )
    header_line = reader.line_num
    user_col = _column(header, USER_COLUMNS)
    points_col = _column(header, POINTS_COLUMNS)
    missing = [
        what
        for what, col, names in (
            ("user id", user_col, USER_COLUMNS),
            ("points", points_col, POINTS_COLUMNS),
        )
        if col is None
    ]
    if missing:
        raise ImportRefused(
            f"{name}: line {header_line}: no {' or '.join(missing)} column in the header "
            f"{','.join(header)!r} (expected e.g. user_id,points); nothing was imported"
        )
    assert user_col is not None and points_col is not None
    width = max(user_col, points_col) + 1

    def rows() -> Iterable[tuple[object, object, str]]:
        try:
            for cells in reader:
                where = f"line {reader.line_num}"
                if not any(cell.strip() for cell in cells):
                    continue  # blank lines, as spreadsheets leave at the end
                if len(cells) < width:
                    raise ImportRefused(
                        f"{name}: {where}: {len(cells)} cells, the user id and points "
                        f"columns need {width}; nothing was imported"
                    )
                yield cells[user_col], cells[points_col], where
        except csv.Error as e:
            raise ImportRefused(
                f"{name}: line {reader.line_num}: {e}; nothing was imported"
            ) from None

    return _checked(name, data, rows())


FORMATS = {"points-json": parse_points_json, "csv": parse_csv}


def load(fmt: str, path: str | Path) -> ImportFile:
    """Read and validate ``path`` in format ``fmt`` (a key of ``FORMATS``)."""
    return FORMATS[fmt](read_file(path), Path(path).name)
