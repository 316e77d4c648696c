"""The journal: every ledger change as a JSON line, written and fsynced before its COMMIT.

Promise (invariant 7): every ledger row the writer acknowledged is in the journal, so losing
or corrupting ``vouchy.db`` loses nothing acknowledged: restore = a verified snapshot plus a
replay of the journal past the snapshot's last ledger id (``vouchy.store.durability.recovery``).

Layout: ``<data>/journal/<first ledger id, 20 digits>.jsonl``. A new segment starts at each
start of the writer and at each snapshot (``rotate``); a segment is deleted (``prune``) only
once a verified snapshot covers every id in it. The last row of each append carries
``"end": true``. The rows after the last-but-one mark are the one append that may not have
committed (a crash between the journal's fsync and COMMIT): everything before it did commit,
since the writer appends again only after the previous batch committed or was undone. That is
how start-up tells such an unanswered tail from rows a stale database is missing.

It implements the writer's ``BatchJournal``: ``append`` and ``undo`` run on the writer's
SQLite thread; ``rotate`` and ``prune`` may be called from any thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

import msgspec

from vouchy.core.errors import StorageUnavailable, VouchyError
from vouchy.core.logs import get_logger
from vouchy.store.durability.files import fsync_dir, make_dir, write_durably
from vouchy.store.reader import LedgerEntry
from vouchy.store.writer import LedgerRow

log = get_logger("vouchy.journal")

SUFFIX = ".jsonl"
# Present while no append has happened since a clean close: every append then committed.
CLOSED = "closed"


class JournalEntry(LedgerEntry, omit_defaults=True):
    """A ledger row (the reader's ``LedgerEntry``: the table's columns, in order) plus the
    mark on the last row of each append."""

    end: bool = False  # the last row of one append: a batch boundary


def entry_of(row: LedgerRow, end: bool = False) -> JournalEntry:
    """The one place a ledger row becomes a journal entry; ``row_of`` is the way back."""
    return JournalEntry(*row, end=end)


def row_of(e: JournalEntry) -> LedgerRow:
    return msgspec.structs.astuple(e)[:-1]  # type: ignore[return-value]


class JournalUnavailable(StorageUnavailable):
    """The journal could not be written (disk full, I/O error): the batch is not committed."""

    code = "journal_unavailable"


class JournalDamaged(VouchyError):
    code = "journal_damaged"


class Segment(NamedTuple):
    first_id: int
    path: Path


class Tail(NamedTuple):
    """The journal's rows past a database's last ledger id, seen at start-up."""

    beyond: int  # entries with id > the database's last ledger id
    first_beyond: int  # the first such id (0 when none)
    last_append_first_id: int  # first id of the one append that may not have committed
    last_id: int  # the journal's last id (0 when empty)
    torn_bytes: int  # a partly written final line


_decoder = msgspec.json.Decoder(JournalEntry)


def _read(
    path: Path, may_be_torn: bool, data: bytes | None = None
) -> tuple[list[tuple[JournalEntry, int]], int, int]:
    """A segment's entries with the offset where each starts, the offset where the last whole
    entry ends, and the file's size. Only the segment last written may end in a torn line."""
    if data is None:
        data = path.read_bytes()
    entries: list[tuple[JournalEntry, int]] = []
    offset = 0
    while offset < len(data):
        nl = data.find(b"\n", offset)
        final = nl < 0 or nl == len(data) - 1
        try:
            if nl < 0:
                raise msgspec.DecodeError("no end of line")
            entries.append((_decoder.decode(data[offset:nl]), offset))
        except (msgspec.DecodeError, msgspec.ValidationError) as e:
            if may_be_torn and final:
                break  # written but never fsynced whole: no caller was answered for it
            raise JournalDamaged(
                f"journal segment {path} is damaged at byte {offset} ({e}); the entries after "
                "it cannot be read"
            ) from None
        offset = nl + 1
    return entries, offset, len(data)


def _decode_whole(data: bytes) -> list[JournalEntry] | None:
    """Every line of an intact segment in one call (msgspec's own loop: 2.4x faster than a
    call per line); None when a line is torn or damaged, for ``_read`` to sort out."""
    if data and not data.endswith(b"\n"):
        return None
    try:
        return _decoder.decode_lines(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class Journal:
    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._encoder = msgspec.json.Encoder()
        self._fd: int | None = None
        self._size = 0  # bytes of the open segment that hold committed (or pending) appends
        self._mark = 0  # the size before the last append: where undo() truncates to
        self._dirty = False  # bytes past _size may be on disk (a failed append or undo)
        self._rotate = False

    # -- the writer's hook (its SQLite thread) --------------------------------------------------

    def append(self, rows: Sequence[LedgerRow]) -> None:
        """Write ``rows`` and fsync before returning; raise ``JournalUnavailable`` if not."""
        with self._lock:
            # First, before anything can fail: undo() comes back here, never further (a
            # failure before this line would make it cut the previous, committed append).
            self._mark = self._size
            if not rows:
                return
            entries = [entry_of(r) for r in rows[:-1]]
            entries.append(entry_of(rows[-1], end=True))
            data = self._encoder.encode_lines(entries)  # a bad value raises here: a bug
            try:
                if self._fd is None or self._rotate:
                    self._open(rows[0][0])
                elif self._dirty:
                    self._truncate(self._size)  # leftovers of a failed append go first
                self._mark = self._size
                self._dirty = True
                _write_all(self._fd, data)  # type: ignore[arg-type]
                os.fsync(self._fd)  # type: ignore[arg-type]
            except OSError as e:
                log.error(
                    "journal_append_failed",
                    rows=len(rows),
                    first_id=rows[0][0],
                    error=str(e),
                    errno=e.errno,
                )
                raise JournalUnavailable(
                    "Vouchy could not save that right now; nothing was changed. Try again shortly."
                ) from e
            self._size += len(data)
            self._dirty = False

    def undo(self) -> None:
        """Forget the last append (its batch did not commit). Never raises: the writer calls
        this from its error path; a truncate that fails is retried before the next append."""
        with self._lock:
            self._size = self._mark
            if self._fd is None:
                return
            try:
                self._truncate(self._mark)
            except OSError as e:
                self._dirty = True
                log.error("journal_undo_failed", offset=self._mark, error=str(e), errno=e.errno)

    def rotate(self) -> None:
        """Start a new segment at the next append (called when a snapshot is taken)."""
        with self._lock:
            self._rotate = True

    def close(self, clean: bool = True) -> None:
        """``clean``: the writer closed, so every append committed or was undone; the
        ``closed`` marker records that until the next append (see ``closed_cleanly``)."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            if clean and self.directory.is_dir():
                (self.directory / CLOSED).write_bytes(b"")
                fsync_dir(self.directory)

    def closed_cleanly(self) -> bool:
        """No append since a clean close: rows past the database's last id were committed
        (the database lost them), not an append cut off before its COMMIT."""
        return (self.directory / CLOSED).exists()

    def _open(self, first_id: int) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        make_dir(self.directory)
        path = self.directory / f"{first_id:020d}{SUFFIX}"
        existed = path.exists()
        marker = self.directory / CLOSED
        was_closed = marker.exists()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            if was_closed:
                marker.unlink()
            if not existed or was_closed:
                fsync_dir(self.directory)
            self._size = self._mark = os.fstat(fd).st_size
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._rotate = False
        self._dirty = False

    def _truncate(self, size: int) -> None:
        assert self._fd is not None
        os.ftruncate(self._fd, size)
        os.fsync(self._fd)
        self._dirty = False

    # -- reading and trimming (no append may run during cut_after) ------------------------------

    def segments(self) -> list[Segment]:
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.iterdir():
            if path.suffix == SUFFIX and path.stem.isdigit():
                found.append(Segment(int(path.stem), path))
        return sorted(found)

    def _reading(self, after: int = 0) -> Iterator[tuple[Segment, bool]]:
        """The segments that may hold ids above ``after``, each with whether it may end torn
        (only the last one holding any bytes: the one being written when a crash came)."""
        segments = self.segments()
        sizes = [s.path.stat().st_size for s in segments]
        last = max((i for i, size in enumerate(sizes) if size), default=-1)
        start = max((i for i, s in enumerate(segments) if s.first_id <= after + 1), default=0)
        for i in range(start, len(segments)):
            yield segments[i], i == last

    def entries(self, after: int = 0) -> Iterator[JournalEntry]:
        """Every entry with an id above ``after``, in order."""
        for segment, may_be_torn in self._reading(after):
            data = segment.path.read_bytes()
            found = _decode_whole(data)
            if found is None:
                found = [e for e, _ in _read(segment.path, may_be_torn, data)[0]]
            for entry in found:
                if entry.id > after:
                    yield entry

    def first_id(self) -> int | None:
        """The oldest id still journaled (a segment's name is the first id written to it)."""
        for segment in self.segments():
            if segment.path.stat().st_size:
                return segment.first_id
        return None

    def tail(self, after: int) -> Tail:
        """What the journal holds past ``after`` (a database's last ledger id)."""
        beyond, first_beyond, last_id, group_start, torn = 0, 0, 0, 0, 0
        for segment, may_be_torn in self._reading(after):
            entries, good_end, size = _read(segment.path, may_be_torn)
            torn += size - good_end
            if not entries:
                continue
            # A segment starts at an append; the last append starts after the last mark
            # that is not the segment's final entry.
            group_start = entries[0][0].id
            for entry, _ in entries[:-1]:
                if entry.end:
                    group_start = entry.id + 1
            for entry, _ in entries:
                if entry.id > after:
                    beyond += 1
                    first_beyond = first_beyond or entry.id
            last_id = entries[-1][0].id
        return Tail(beyond, first_beyond, group_start, last_id, torn)

    def cut_after(self, last_id: int, set_aside: Path, label: str) -> int:
        """Remove every entry with an id above ``last_id`` (and any torn line). The removed
        bytes go to ``set_aside/<label>.jsonl``, never destroyed. Returns the entries removed."""
        removed = 0
        cut_bytes: list[bytes] = []
        for segment, may_be_torn in reversed(list(self._reading(last_id))):
            entries, good_end, size = _read(segment.path, may_be_torn)
            cut = next((offset for e, offset in entries if e.id > last_id), good_end)
            removed += sum(1 for e, _ in entries if e.id > last_id)
            if cut < size:
                with open(segment.path, "r+b") as f:
                    f.seek(cut)
                    cut_bytes.insert(0, f.read())
                    f.truncate(cut)
                    f.flush()
                    os.fsync(f.fileno())
            if cut == 0:
                segment.path.unlink()
        if cut_bytes:
            make_dir(set_aside)
            write_durably(set_aside / f"{label}{SUFFIX}", b"".join(cut_bytes), append=True)
            fsync_dir(set_aside)
            fsync_dir(self.directory)
        return removed

    def prune(self, covered_up_to: int) -> list[Path]:
        """Delete the segments whose every id is at most ``covered_up_to`` (the last ledger id
        of a verified snapshot). The newest segment is never deleted."""
        with self._lock:
            removed = []
            segments = self.segments()
            for segment, following in zip(segments, segments[1:], strict=False):
                if following.first_id - 1 > covered_up_to:
                    break
                segment.path.unlink(missing_ok=True)
                removed.append(segment.path)
            if removed:
                fsync_dir(self.directory)
                log.info("journal_pruned", segments=len(removed), covered_up_to=covered_up_to)
            return removed

    def size_bytes(self) -> int:
        return sum(s.path.stat().st_size for s in self.segments())
