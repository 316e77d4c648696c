"""Moving items in from an older bot, pure: a CSV file of (user id, item, quantity) read and
checked whole before anything is written.

A malformed file (not UTF-8, no header naming the three columns, a user id that is not a
Discord id, an item name without letters or digits, a quantity that is not a whole number
from 0 to ``MAX_HELD``, the same member and item twice) is refused with the line at fault and
nothing is imported. The seed bot's ``user_inventory`` names (``multiplier_x2``...) read as
the built-in items. Each member's lines become one operation whose reference is
``items-import:<sha256 of the file, 16 hex>:<user id>``: the same file imported again changes
nothing, and a member's items arrive whole or not at all.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.shop.rules import MAX_HELD, key_of

PREFIX = "items-import:"
USER_COLUMNS = ("user_id", "userid", "user", "id", "discord_id", "member_id", "member", "uid")
ITEM_COLUMNS = ("item", "item_type", "item_key", "item_name", "name", "type", "object")
QUANTITY_COLUMNS = ("quantity", "qty", "count", "amount", "number")
_SNOWFLAKE = re.compile(r"[1-9][0-9]{0,18}")


class ItemsImportRefused(InvalidInput):
    """The file is malformed: nothing was written."""

    code = "items_import_refused"


class Line(msgspec.Struct, frozen=True):
    user_id: int
    item: str  # the item's key
    quantity: int
    where: str


class ItemsFile(msgspec.Struct, frozen=True):
    name: str
    digest: str
    lines: list[Line]

    def by_member(self) -> dict[int, list[Line]]:
        """Each member's lines with something to grant, in file order."""
        out: dict[int, list[Line]] = {}
        for line in self.lines:
            if line.quantity:
                out.setdefault(line.user_id, []).append(line)
        return out

    def reference(self, user_id: int) -> str:
        return f"{PREFIX}{self.digest[:16]}:{user_id}"


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    normal = [re.sub(r"[\s\-]+", "_", h.strip().lower()) for h in header]
    for wanted in names:
        if wanted in normal:
            return normal.index(wanted)
    return None


def _refuse(name: str, where: str, why: str) -> ItemsImportRefused:
    return ItemsImportRefused(f"{name}: {where}: {why}; nothing was imported")


def parse_items_csv(data: bytes, name: str = "items.csv") -> ItemsFile:
    """A header naming a user id, an item and a quantity column, then one line each."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ItemsImportRefused(
            f"{name}: not UTF-8 text (byte {e.start}); nothing was imported"
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = next((d for d in (",", ";", "\t") if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    lines: list[Line] = []
    seen: dict[tuple[int, str], str] = {}
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise ItemsImportRefused(
                f"{name}: the file is empty; expected a header row such as user_id,item,quantity"
            )
        columns = [
            _column(header, names) for names in (USER_COLUMNS, ITEM_COLUMNS, QUANTITY_COLUMNS)
        ]
        missing = [
            what
            for what, col in zip(("user id", "item", "quantity"), columns, strict=True)
            if col is None
        ]
        if missing:
            raise _refuse(
                name,
                f"line {reader.line_num}",
                f"no {' or '.join(missing)} column in the header {','.join(header)!r} "
                "(expected e.g. user_id,item,quantity)",
            )
        user_col, item_col, qty_col = (c for c in columns if c is not None)
        width = max(user_col, item_col, qty_col) + 1
        for cells in reader:
            where = f"line {reader.line_num}"
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) < width:
                raise _refuse(name, where, f"{len(cells)} cells, the columns need {width}")
            raw_user = cells[user_col].strip()
            if not _SNOWFLAKE.fullmatch(raw_user) or int(raw_user) >= 2**63:
                raise _refuse(name, where, f"user id {raw_user!r} is not a Discord id")
            try:
                item = key_of(cells[item_col])
            except InvalidInput:
                raise _refuse(
                    name, where, f"item {cells[item_col]!r} has no letters or digits"
                ) from None
            raw_qty = cells[qty_col].strip()
            if not re.fullmatch(r"[0-9]+", raw_qty) or int(raw_qty) > MAX_HELD:
                raise _refuse(
                    name, where, f"quantity {raw_qty!r} is not a whole number from 0 to {MAX_HELD}"
                )
            user = int(raw_user)
            if (user, item) in seen:
                raise _refuse(
                    name,
                    where,
                    f"user {user} and item {item} are listed twice (first at {seen[(user, item)]})",
                )
            seen[(user, item)] = where
            lines.append(Line(user, item, int(raw_qty), where))
    except csv.Error as e:
        raise _refuse(name, f"line {reader.line_num}", str(e)) from None
    return ItemsFile(name=name, digest=hashlib.sha256(data).hexdigest(), lines=lines)
