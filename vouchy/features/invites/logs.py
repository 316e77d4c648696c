"""The join logs a person can open: ``invite_logs/invite_joins.jsonl`` and ``.csv`` under the
data directory, one line per join, kept in step with the database.

The database is the record; these files are its readable copy, written after the join is
committed. Each append is durable when it returns (written, flushed, fsynced; a new file's
directory fsynced too). After a crash, ``catch_up`` appends the joins the database holds and a
file lacks, compared by join id, so it is idempotent; a torn last line (a crash mid-write) is
cut off first and written again whole, never duplicated. CSV text cells pass through
``spreadsheet_safe`` (numbers stay numbers), so opening the file never runs a formula.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec

from vouchy.core.spreadsheet import spreadsheet_safe
from vouchy.features.invites import texts  # noqa: F401  (registers the texts)
from vouchy.features.invites.records import (
    Cause,
    HowParams,
    JoinRecord,
    how_text,
    iso_utc,
    parse_iso,
)

LOG_DIR = "invite_logs"
JSONL_NAME = "invite_joins.jsonl"
CSV_NAME = "invite_joins.csv"

CSV_COLUMNS = (
    "join_id",
    "time_utc",
    "guild_id",
    "member_id",
    "member_name",
    "display_name",
    "account_created_utc",
    "invite_code",
    "inviter_id",
    "inviter_name",
    "staff_id",
    "staff_name",
    "uses_before",
    "uses_after",
    "attributed",
    "how",
    "candidates",
)
_BOM = "\ufeff"
_CHUNK = 64 * 1024


class LogLine(msgspec.Struct, frozen=True, kw_only=True):
    """One line of ``invite_joins.jsonl``: readable as it stands, and enough to rebuild the
    join exactly (``how_key`` and ``how_params`` beside the English ``how``)."""

    join_id: str
    time: str
    guild_id: int
    member_id: int
    member_name: str
    display_name: str | None = None
    account_created: str | None = None
    code: str | None = None
    inviter_id: int | None = None
    inviter_name: str | None = None
    staff_id: int | None = None
    staff_name: str | None = None
    uses_before: int | None = None
    uses_after: int | None = None
    cause: Cause
    how: str = ""
    how_key: str
    how_params: HowParams = msgspec.field(default_factory=dict)
    candidates: tuple[str, ...] = ()


class LogPaths(msgspec.Struct, frozen=True):
    jsonl: Path
    csv: Path


class FileCatchUp(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    appended: int
    torn_tail_repaired: bool
    # The join ids this run appended, in order (a join committed while it ran is among them
    # and must not be appended again by its own writer).
    appended_ids: tuple[str, ...] = ()
    # Join ids in the file that the database does not hold (a line written before a commit
    # that then failed): reported, never removed.
    extra_ids: tuple[str, ...] = ()
    unreadable_lines: int = 0


class CatchUpReport(msgspec.Struct, frozen=True, kw_only=True):
    jsonl: FileCatchUp
    csv: FileCatchUp


class _IdOnly(msgspec.Struct):
    join_id: str


def log_paths(data_dir: Path) -> LogPaths:
    folder = Path(data_dir) / LOG_DIR
    return LogPaths(jsonl=folder / JSONL_NAME, csv=folder / CSV_NAME)


def log_line(record: JoinRecord) -> LogLine:
    created = record.account_created_ms
    return LogLine(
        join_id=record.join_id,
        time=iso_utc(record.joined_at_ms),
        guild_id=record.guild_id,
        member_id=record.member_id,
        member_name=record.member_name,
        display_name=record.display_name,
        account_created=None if created is None else iso_utc(created),
        code=record.code,
        inviter_id=record.inviter_id,
        inviter_name=record.inviter_name,
        staff_id=record.staff_id,
        staff_name=record.staff_name,
        uses_before=record.uses_before,
        uses_after=record.uses_after,
        cause=record.cause,
        how=how_text(record),
        how_key=record.how,
        how_params=record.how_params,
        candidates=record.candidates,
    )


def record_from_line(line: LogLine) -> JoinRecord:
    """The join a log line holds (raises ValueError on a bad time)."""
    created = line.account_created
    return JoinRecord(
        join_id=line.join_id,
        guild_id=line.guild_id,
        member_id=line.member_id,
        member_name=line.member_name,
        display_name=line.display_name,
        joined_at_ms=parse_iso(line.time),
        account_created_ms=None if created is None else parse_iso(created),
        cause=line.cause,
        code=line.code,
        inviter_id=line.inviter_id,
        inviter_name=line.inviter_name,
        staff_id=line.staff_id,
        staff_name=line.staff_name,
        uses_before=line.uses_before,
        uses_after=line.uses_after,
        how=line.how_key,
        how_params=line.how_params,
        candidates=line.candidates,
    )


def jsonl_bytes(records: Iterable[JoinRecord]) -> bytes:
    return b"".join(msgspec.json.encode(log_line(r)) + b"\n" for r in records)


def csv_row(record: JoinRecord) -> list[str | int]:
    """One CSV row: ids and counts as numbers, every text neutralised for spreadsheets."""
    line = log_line(record)

    def text(value: str | None) -> str:
        # Control characters (line breaks included) become spaces: one row, one line.
        clean = "".join(" " if ord(c) < 32 or c == "\x7f" else c for c in value or "")
        return spreadsheet_safe(clean)

    def num(value: int | None) -> int | str:
        return "" if value is None else value

    return [
        text(line.join_id),
        text(line.time),
        line.guild_id,
        line.member_id,
        text(line.member_name),
        text(line.display_name),
        text(line.account_created),
        text(line.code),
        num(line.inviter_id),
        text(line.inviter_name),
        num(line.staff_id),
        text(line.staff_name),
        num(line.uses_before),
        num(line.uses_after),
        text(line.cause),
        text(line.how),
        text(" ".join(line.candidates)),
    ]


def csv_bytes(records: Iterable[JoinRecord], *, header: bool) -> bytes:
    out = io.StringIO()
    if header:
        out.write(_BOM)  # so a spreadsheet reads the names as UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerow(csv_row(record))
    return out.getvalue().encode("utf-8")


def append_join(data_dir: Path, record: JoinRecord) -> None:
    """Append one committed join to both files, durably (JSONL first, then CSV)."""
    append_joins(data_dir, [record])


def append_joins(data_dir: Path, records: Sequence[JoinRecord]) -> None:
    if not records:
        return
    paths = log_paths(data_dir)
    _ensure_folder(paths.jsonl.parent)
    _repair_torn_tail(paths.jsonl)
    _append_durably(paths.jsonl, jsonl_bytes(records))
    _repair_torn_tail(paths.csv)
    _append_durably(paths.csv, csv_bytes(records, header=_is_empty(paths.csv)))


def logged_join_ids(path: Path) -> tuple[list[str], int]:
    """The join ids of a log's complete lines, in file order, and how many complete lines
    could not be read. A torn last line is not counted (``catch_up`` writes it again)."""
    if not path.exists():
        return [], 0
    body = _complete_part(path)
    ids: list[str] = []
    unreadable = 0
    if path.suffix == ".csv":
        rows = csv.reader(io.StringIO(body.decode("utf-8-sig", errors="replace")))
        for row in rows:
            if not row or row[0] == CSV_COLUMNS[0]:
                continue
            ids.append(row[0])
        return ids, 0
    for raw in body.splitlines():
        if not raw.strip():
            continue
        try:
            ids.append(msgspec.json.decode(raw, type=_IdOnly).join_id)
        except msgspec.DecodeError:
            unreadable += 1
    return ids, unreadable


def missing_lines(db_join_ids_in_order: Iterable[str], path: Path) -> list[str]:
    """The join ids the database holds and the log lacks, in the database's order."""
    present = set(logged_join_ids(path)[0])
    return [i for i in db_join_ids_in_order if _as_logged(i, path) not in present]


def catch_up(data_dir: Path, records_in_order: Sequence[JoinRecord]) -> CatchUpReport:
    """Bring both files in step with the database's joins (run at start, before any append).
    Idempotent: a second run appends nothing."""
    # Invariant: after this returns, every join id of the database is in each file once
    # (a torn line is cut off before its join is written again).
    paths = log_paths(data_dir)
    _ensure_folder(paths.jsonl.parent)
    reports = []
    for path in (paths.jsonl, paths.csv):
        repaired = _repair_torn_tail(path)
        ids, unreadable = logged_join_ids(path)
        present = set(ids)
        missing = [r for r in records_in_order if _as_logged(r.join_id, path) not in present]
        if missing:
            data = (
                jsonl_bytes(missing)
                if path == paths.jsonl
                else csv_bytes(missing, header=_is_empty(path))
            )
            _append_durably(path, data)
        known = {_as_logged(r.join_id, path) for r in records_in_order}
        reports.append(
            FileCatchUp(
                path=str(path),
                appended=len(missing),
                torn_tail_repaired=repaired,
                appended_ids=tuple(r.join_id for r in missing),
                extra_ids=tuple(i for i in ids if i not in known),
                unreadable_lines=unreadable,
            )
        )
    return CatchUpReport(jsonl=reports[0], csv=reports[1])


def _as_logged(join_id: str, path: Path) -> str:
    """A join id as the file writes it (the CSV neutralises text cells)."""
    return spreadsheet_safe(join_id) if path.suffix == ".csv" else join_id


def _is_empty(path: Path) -> bool:
    return not path.exists() or path.stat().st_size == 0


def _ensure_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    _fsync_dir(folder.parent)


def _append_durably(path: Path, data: bytes) -> None:
    """Append ``data``; on return it is on disk."""
    # Invariant: written, flushed and fsynced before returning; a new file's entry too.
    new = not path.exists()
    with open(path, "ab") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    if new:
        _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _complete_length(path: Path) -> int:
    """The length of the file up to and including its last line break."""
    with open(path, "rb") as f:
        end = f.seek(0, os.SEEK_END)
        pos = end
        while pos > 0:
            start = max(0, pos - _CHUNK)
            f.seek(start)
            chunk = f.read(pos - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                return start + cut + 1
            pos = start
        return 0


def _complete_part(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(_complete_length(path))


def _repair_torn_tail(path: Path) -> bool:
    """Cut a last line left without its line break by a crash mid-write; True if cut."""
    if not path.exists():
        return False
    size = path.stat().st_size
    keep = _complete_length(path)
    if keep == size:
        return False
    with open(path, "r+b") as f:
        f.truncate(keep)
        f.flush()
        os.fsync(f.fileno())
    return True
