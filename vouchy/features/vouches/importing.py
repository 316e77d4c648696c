"""Moving in: ``vouches-csv`` files from older bots, parsed and checked whole before anything is
written. Pure: bytes in, validated rows out (writing them is the importer framework's job).

The file: a header row naming the columns, then one vouch a line. Columns are found by name
(case, spaces and hyphens ignored; common aliases accepted): ``provider`` (seller, vouchee,
provider_id...), ``voucher`` (buyer, author, voucher_id...), ``time`` (timestamp, date,
created_at...), optionally ``message_id`` (message, msg_id...). A file whose first row holds
no known name but starts with an id is read without a header, in the order provider, voucher,
time[, message id]. Commas, semicolons or tabs separate the cells.

Times: ISO 8601 (``2024-03-12T14:02:00Z``, ``2024-03-12 14:02:00+01:00``, a date alone;
without an offset it is UTC) or unix time as a whole or decimal number: seconds below 10^11,
milliseconds from there (10^11 s is the year 5138, 10^11 ms is 1973, so the two never meet).

One bad row refuses the whole file with ``ImportRefused`` naming the line and the problem: an
id that is not a Discord id, a time that cannot be read or is before 2015 or in the future, a
member vouching for themselves, the same vouch twice (same message id, or same provider,
voucher and time). Nothing is half imported.

Each row's idempotency reference: ``vouch:<message id>`` when the row has one, the very
reference a live vouch of that message has, so a vouch both seen live and imported counts
once; else ``vouch:import:<16 hex>``, a SHA-256 of the guild and the row's parsed values (not
its spelling), so the same file, or the same vouches re-exported in another format, imports
once.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from datetime import UTC, datetime
from typing import Literal

import msgspec

from vouchy.core import i18n
from vouchy.core.errors import InvalidInput
from vouchy.features.vouches import texts as _texts  # noqa: F401  (registers the keys)
from vouchy.features.vouches.model import DAY_MS, DISCORD_EPOCH_MS, vouch_reference

MAX_ROWS = 1_000_000
# Seconds below this, milliseconds from it.
_MS_FROM = 10**11
_ID = re.compile(r"[0-9]{1,19}")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")

PROVIDER_COLUMNS = (
    "provider",
    "provider_id",
    "providerid",
    "seller",
    "seller_id",
    "vouchee",
    "vouchee_id",
    "vouched",
    "vouched_id",
    "target",
    "target_id",
    "to",
)
VOUCHER_COLUMNS = (
    "voucher",
    "voucher_id",
    "voucherid",
    "buyer",
    "buyer_id",
    "author",
    "author_id",
    "from",
    "by",
    "user",
    "user_id",
)
TIME_COLUMNS = (
    "time",
    "timestamp",
    "date",
    "datetime",
    "created_at",
    "createdat",
    "created",
    "when",
    "vouched_at",
    "time_ms",
)
MESSAGE_COLUMNS = ("message_id", "messageid", "message", "msg_id", "msgid", "msg")


class ImportRefused(InvalidInput):
    """The file is malformed: nothing was imported. A value that is itself a text key (what
    a duplicate shares) is said in the reader's language too."""

    code = "vouch_import_refused"

    def text(self, locale: str) -> str:
        params = {
            k: i18n.text(v, locale) if isinstance(v, str) and i18n.has(v) else v
            for k, v in self.params.items()
        }
        return i18n.text(self.key, locale, **params)

    @property
    def message(self) -> str:
        return self.text("en")


class ImportedVouch(msgspec.Struct, frozen=True, kw_only=True):
    provider_id: int
    voucher_id: int
    created_at_ms: int
    message_id: int | None
    reference: str
    line: int


class VouchImport(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    guild_id: int
    digest: str  # sha256 of the file's bytes, for the import's log line
    header: bool  # False when read by position
    rows: tuple[ImportedVouch, ...]


def _normal(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    normal = [_normal(h) for h in header]
    for wanted in names:
        if wanted in normal:
            return normal.index(wanted)
    return None


def parse_time(raw: str) -> int | None:
    """Unix milliseconds from ISO 8601 or unix seconds/milliseconds; None if neither."""
    text = raw.strip()
    if _NUMBER.fullmatch(text):
        value = float(text) if "." in text else int(text)
        ms = value * 1000 if value < _MS_FROM else value
        return math.floor(ms)
    try:
        when = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return math.floor(when.timestamp() * 1000)


def row_reference(guild_id: int, provider_id: int, voucher_id: int, created_at_ms: int) -> str:
    """The reference of a row without a message id: stable for the same parsed values."""
    digest = hashlib.sha256(
        f"vouches-csv|{guild_id}|{provider_id}|{voucher_id}|{created_at_ms}".encode()
    ).hexdigest()
    return f"vouch:import:{digest[:16]}"


def parse_vouches_csv(
    data: bytes, *, guild_id: int, now_ms: int, name: str = "vouches.csv"
) -> VouchImport:
    """Validate a whole ``vouches-csv`` file; ``ImportRefused`` at the first bad row."""
    # Invariant: either every row is valid and returned, or ImportRefused and nothing is.
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportRefused("vouches.import_not_text", file=name, byte=e.start) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not first:
        raise ImportRefused("vouches.import_empty", file=name)
    delimiter = next((d for d in (",", ";", "\t") if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def bad_csv(e: csv.Error) -> ImportRefused:
        return ImportRefused("vouches.import_bad_csv", file=name, line=reader.line_num, problem=e)

    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
    except csv.Error as e:
        raise bad_csv(e) from None
    header_line = reader.line_num
    columns = {
        "provider": _column(header, PROVIDER_COLUMNS),
        "voucher": _column(header, VOUCHER_COLUMNS),
        "time": _column(header, TIME_COLUMNS),
    }
    message_col = _column(header, MESSAGE_COLUMNS)
    has_header = any(c is not None for c in columns.values()) or message_col is not None
    pending: list[tuple[int, list[str]]] = []
    if not has_header and _ID.fullmatch(header[0].strip()):
        # No names, and the first cell is an id: positional, and that row is a vouch.
        columns = {"provider": 0, "voucher": 1, "time": 2}
        message_col = 3 if len(header) > 3 else None
        pending.append((header_line, header))
    else:
        missing = [what for what, col in columns.items() if col is None]
        if missing:
            raise ImportRefused(
                "vouches.import_missing_columns",
                file=name,
                line=header_line,
                columns=" / ".join(missing),
                header=delimiter.join(header),
            )
    provider_col, voucher_col, time_col = columns["provider"], columns["voucher"], columns["time"]
    assert provider_col is not None and voucher_col is not None and time_col is not None
    needed = max(provider_col, voucher_col, time_col) + 1

    def cell_id(cells: list[str], col: int, column: str, line: int) -> int:
        raw = cells[col].strip()
        if not _ID.fullmatch(raw) or not 0 < int(raw) < 2**63:
            raise ImportRefused(
                "vouches.import_bad_id", file=name, line=line, column=column, value=cells[col]
            )
        return int(raw)

    rows: list[ImportedVouch] = []
    seen: dict[str, int] = {}
    latest = now_ms + DAY_MS  # a day of slack for clocks and time zones written as UTC

    def take(line: int, cells: list[str]) -> None:
        if not any(cell.strip() for cell in cells):
            return  # blank lines, as spreadsheets leave at the end
        if len(cells) < needed:
            raise ImportRefused(
                "vouches.import_short_row", file=name, line=line, cells=len(cells), needed=needed
            )
        provider = cell_id(cells, provider_col, "provider", line)
        voucher = cell_id(cells, voucher_col, "voucher", line)
        created = parse_time(cells[time_col])
        if created is None:
            raise ImportRefused(
                "vouches.import_bad_time", file=name, line=line, value=cells[time_col]
            )
        if not DISCORD_EPOCH_MS <= created <= latest:
            raise ImportRefused(
                "vouches.import_time_out_of_range", file=name, line=line, value=cells[time_col]
            )
        if provider == voucher:
            raise ImportRefused(
                "vouches.import_self_vouch", file=name, line=line, value=str(provider)
            )
        message: int | None = None
        if message_col is not None and message_col < len(cells) and cells[message_col].strip():
            message = cell_id(cells, message_col, "message_id", line)
        what: Literal["vouches.import_same_message", "vouches.import_same_row"]
        if message is not None:
            reference, what = vouch_reference(message), "vouches.import_same_message"
        else:
            reference = row_reference(guild_id, provider, voucher, created)
            what = "vouches.import_same_row"
        if reference in seen:
            raise ImportRefused(
                "vouches.import_duplicate", file=name, line=line, first=seen[reference], what=what
            )
        seen[reference] = line
        if len(rows) >= MAX_ROWS:
            raise ImportRefused("vouches.import_too_many_rows", file=name, limit=MAX_ROWS)
        rows.append(
            ImportedVouch(
                provider_id=provider,
                voucher_id=voucher,
                created_at_ms=created,
                message_id=message,
                reference=reference,
                line=line,
            )
        )

    for line, cells in pending:
        take(line, cells)
    try:
        for cells in reader:
            take(reader.line_num, cells)
    except csv.Error as e:
        raise bad_csv(e) from None
    return VouchImport(
        name=name,
        guild_id=guild_id,
        digest=hashlib.sha256(data).hexdigest(),
        header=has_header,
        rows=tuple(rows),
    )
