"""Moving in from other level bots: an ``xp-csv`` file read and checked whole.

The file has a header row naming a user id column and either an XP column or a level column
(``user_id,xp``, ``id,level``, ``userId,totalXp``, a MEE6 leaderboard dump with ``id``,
``username``, ``level``, ``xp`` and more...), separated by commas, semicolons or tabs. Every
row is validated before anything is returned: one bad row refuses the whole file, naming its
line, so nothing is ever half imported. A level becomes the XP at which that level begins
under the guild's curve; when a file has both, the XP column is taken (it is exact, and the
other bot's curve may differ). ``plan_import`` works out the rows an import writes
(the command line writes them in one batch through the writer); each member's log row carries
the reference ``levels:import:<sha256 of the file, 16 hex>:<user id>``, so the same file
imported twice changes nothing the second time.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Collection, Iterator, Mapping
from typing import Any, Literal

import msgspec

from vouchy.core.errors import InvalidInput, VouchyError
from vouchy.features.levels.curve import MAX_XP, MEE6, Curve, level_for_xp, xp_for_level

MAX_ROWS = 1_000_000
IMPORT_PREFIX = "levels:import:"
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
        return f"{IMPORT_PREFIX}{self.digest[:16]}:{user_id}"


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


class ImportPlan(msgspec.Struct, kw_only=True):
    """What importing a file writes: each member's row as it will stand, and one log row per
    member (the XP the file adds, named by the file and the member)."""

    members: list[dict[str, Any]]
    logs: list[dict[str, Any]]
    imported: int  # members given XP (or a row) by this import
    already_imported: int  # this file's members imported before: left as they are
    xp: int  # the XP added in all


class ImportConflict(VouchyError):
    """Members of this file were given XP by another imported file: nothing was written."""

    code = "levels_import_conflict"


def plan_import(
    parsed: XpImport,
    *,
    guild_id: int,
    existing: Mapping[int, Mapping[str, Any]],
    imported_before: Mapping[int, Collection[str]],
    defaults: Mapping[str, Any],
    curve: Curve,
    now_ms: int,
    merge: bool = False,
) -> ImportPlan:
    """The rows one import writes. ``existing``: the members' rows, by user id;
    ``imported_before``: for each member files already gave XP, those files' tags (16 hex);
    ``defaults``: the member row's column defaults. The file's XP is added to what a member
    has (XP earned here since is kept); a member this file gave XP before is left as they are,
    and a member another file gave XP is refused (``ImportConflict``) unless ``merge``. No
    level-up is announced and no reward given: the roles follow with ``/admin levels
    sync-roles``."""
    # Invariant: each member's XP rises by exactly their log row's XP, and their level is the
    # curve's level of the new XP.
    tag = parsed.digest[:16]
    todo = [r for r in parsed.rows if tag not in imported_before.get(r.user_id, ())]
    conflicts = [r.user_id for r in todo if imported_before.get(r.user_id)]
    if conflicts and not merge:
        tags = sorted({t for u in conflicts for t in imported_before[u]})
        raise ImportConflict(
            f"{len(conflicts)} members of this file were already given XP by an earlier import "
            f"(file {', '.join(tags)}; e.g. user {conflicts[0]}): importing this file too would "
            "add their XP a second time (is it a copy of the same bot's file?). If it holds XP "
            "from a different bot, pass --merge to add it; nothing was imported"
        )
    members: list[dict[str, Any]] = []
    logs: list[dict[str, Any]] = []
    total = 0
    for r in todo:
        row = dict(
            existing.get(r.user_id) or {**defaults, "guild_id": guild_id, "user_id": r.user_id}
        )
        before = int(row["xp"])
        after = min(MAX_XP, before + r.xp)
        row["xp"] = after
        row["level"] = level_for_xp(after, curve)
        members.append(row)
        logs.append(
            {
                "guild_id": guild_id,
                "reference": parsed.reference(r.user_id),
                "user_id": r.user_id,
                "source": "import",
                "xp": after - before,
                "messages": 0,
                "voice_seconds": 0,
                "reactions": 0,
                "acting_user_id": None,
                "reason": f"imported from {parsed.name}"[:200],
                "created_at": now_ms,
            }
        )
        total += after - before
    return ImportPlan(
        members=members,
        logs=logs,
        imported=len(members),
        already_imported=len(parsed.rows) - len(todo),
        xp=total,
    )
