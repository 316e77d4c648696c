"""Moving in from other level bots: an ``xp-csv`` file read and checked whole.

The file has a header row naming a user id column and either an XP column or a level column
(``user_id,xp``, ``id,level``, ``userId,totalXp``, a MEE6 leaderboard dump with ``id``,
``username``, ``level``, ``xp`` and more...), separated by commas, semicolons or tabs. Every
row is validated before anything is returned: one bad row refuses the whole file, naming its
line, so nothing is ever half imported. A level becomes the XP at which that level begins
under the guild's curve; when a file has both, the XP column is taken (it is exact, and the
other bot's curve may differ). Writing the rows is the store's job; each carries the
reference ``levels:import:<sha256 of the file, 16 hex>:<user id>``, so the same file imported
twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from typing import Literal

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.levels.curve import MAX_XP, MEE6, Curve, level_for_xp, xp_for_level

MAX_ROWS = 1_000_000
_SNOWFLAKE = re.compile(r"[1-9][0-9]{0,18}")
# Whole numbers, also as spreadsheets and pandas write them ("1200.0").
_WHOLE = re.compile(r"[+-]?[0-9]+(?:\.0*)?")

# Header names other bots and spreadsheets use, compared without case, spaces, "_", "-", ".".
ID_COLUMNS = (
    "userid",
    "id",
    "user",
    "memberid",
    "member",
    "discordid",
    "discorduserid",
    "uid",
    "snowflake",
)
XP_COLUMNS = ("xp", "totalxp", "exp", "experience", "totalexp", "totalexperience", "xptotal")
LEVEL_COLUMNS = ("level", "lvl", "lv", "niveau", "currentlevel")

_NOT_WHOLE = {"xp": "levels.import.bad_xp", "level": "levels.import.bad_level"}
_NEGATIVE = {"xp": "levels.import.negative_xp", "level": "levels.import.negative_level"}


class ImportRefused(InvalidInput):
    """The file is malformed: nothing was imported."""

    code = "levels_import_refused"


class XpRow(msgspec.Struct, frozen=True, kw_only=True):
    user_id: int
    xp: int
    line: int  # where it came from, for messages


class XpImport(msgspec.Struct, frozen=True, kw_only=True):
    """A validated file: its digest (for references), which column the XP came from, and one
    row per member in file order."""

    name: str
    digest: str  # sha256 of the file's bytes, hex
    source: Literal["xp", "level"]
    rows: tuple[XpRow, ...]

    def reference(self, user_id: int) -> str:
        return f"levels:import:{self.digest[:16]}:{user_id}"


def _normal(header: str) -> str:
    return re.sub(r"[\s_\-.]+", "", header.strip().lower())


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    normal = [_normal(h) for h in header]
    for wanted in names:
        if wanted in normal:
            return normal.index(wanted)
    return None


def _delimiter(first_line: str) -> str:
    """The separator of the header line: whichever of , ; tab splits it into most cells."""
    return max((",", ";", "\t"), key=first_line.count)


def _whole(raw: str) -> int | None:
    text = raw.strip()
    if not _WHOLE.fullmatch(text):
        return None
    return int(text.split(".")[0])


def parse_xp_csv(data: bytes, curve: Curve = MEE6, name: str = "xp.csv") -> XpImport:
    """Validate ``data`` whole and return its rows, or refuse it naming the first bad line."""
    # Invariant: either every row is valid and returned, or ImportRefused and nothing is.
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportRefused("levels.import.not_utf8", name=name, byte=e.start) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise ImportRefused("levels.import.empty", name=name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first), strict=True)

    def lines() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                if any(cell.strip() for cell in cells):  # blank lines, as spreadsheets leave
                    yield reader.line_num, cells
        except csv.Error as e:
            raise ImportRefused(
                "levels.import.bad_csv", name=name, line=reader.line_num, detail=str(e)
            ) from None

    rows_in = lines()
    header_line, header = next(rows_in)
    id_col = _find(header, ID_COLUMNS)
    xp_col = _find(header, XP_COLUMNS)
    level_col = _find(header, LEVEL_COLUMNS)
    if id_col is None or (xp_col is None and level_col is None):
        raise ImportRefused(
            "levels.import.no_columns",
            name=name,
            line=header_line,
            header=",".join(header)[:200],
        )
    source: Literal["xp", "level"] = "xp" if xp_col is not None else "level"
    value_col = xp_col if xp_col is not None else level_col
    assert value_col is not None
    width = max(id_col, value_col) + 1
    max_level = level_for_xp(MAX_XP, curve)

    seen: dict[int, int] = {}
    rows: list[XpRow] = []
    for line, cells in rows_in:
        if len(rows) >= MAX_ROWS:
            raise ImportRefused("levels.import.too_many_rows", name=name, maximum=MAX_ROWS)
        if len(cells) < width:
            raise ImportRefused(
                "levels.import.short_row", name=name, line=line, cells=len(cells), needed=width
            )
        raw_user, raw_value = cells[id_col].strip(), cells[value_col].strip()
        if not _SNOWFLAKE.fullmatch(raw_user) or int(raw_user) >= 2**63:
            raise ImportRefused("levels.import.bad_user", name=name, line=line, value=raw_user[:40])
        user = int(raw_user)
        value = _whole(raw_value)
        if value is None:
            raise ImportRefused(_NOT_WHOLE[source], name=name, line=line, value=raw_value[:40])
        if value < 0:
            raise ImportRefused(_NEGATIVE[source], name=name, line=line)
        if source == "level":
            if value > max_level:
                raise ImportRefused(
                    "levels.import.level_too_high", name=name, line=line, maximum=max_level
                )
            value = xp_for_level(value, curve)
        elif value > MAX_XP:
            raise ImportRefused("levels.import.xp_too_high", name=name, line=line, maximum=MAX_XP)
        if user in seen:
            raise ImportRefused(
                "levels.import.twice", name=name, line=line, user=str(user), first=seen[user]
            )
        seen[user] = line
        rows.append(XpRow(user_id=user, xp=value, line=line))
    if not rows:
        raise ImportRefused("levels.import.no_rows", name=name)
    return XpImport(
        name=name,
        digest=hashlib.sha256(data).hexdigest(),
        source=source,
        rows=tuple(rows),
    )
