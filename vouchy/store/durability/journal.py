"""The journal: every committed batch as one checksummed record, written and fsynced inside the
batch's transaction before its COMMIT (invariant 7: recovery point zero, for every table).

Layout: ``<data>/journal/<first seq, 20 digits>.log`` segments and ``HEAD.json`` naming the
newest segment. A segment is a line per record: ``<crc32, 8 hex> <json>``. Its first record is
a header (the data directory's id, its first sequence number, each table's columns when it was
written); then one record per batch: the batch's ``WriteSet``. A new segment starts at each
start of the writer and after each snapshot; a segment is deleted (``prune``) only once a
verified snapshot covers every batch in it.

What the format guarantees:
- A batch is replayed whole or not at all: a record that is cut short or whose checksum fails
  is never applied. Only the journal's very end can be cut short by a crash; a damaged record
  anywhere else, a gap in the sequence, or a newest segment that ``HEAD.json`` names but that
  is gone are reported as damage, each with where it is, never skipped silently.
- Once its record is fsynced a batch is as good as committed: recovery applies every whole
  record past the database's sequence number (``vouchy.store.durability.recovery``).

``append`` and ``undo`` run on the writer's SQLite thread; ``rotate`` and ``prune`` may be
called from any thread.
"""

from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from vouchy.core.errors import StorageUnavailable, VouchyError
from vouchy.core.logs import get_logger
from vouchy.store.durability.files import fsync_dir, make_dir, write_durably
from vouchy.store.writeset import WriteSet

log = get_logger("vouchy.journal")

SUFFIX = ".log"
LEGACY_SUFFIX = ".jsonl"  # the line-per-ledger-row journal of Vouchy 0.1
HEAD = "HEAD.json"
FORMAT = 2


class JournalUnavailable(StorageUnavailable):
    """The journal could not be written (disk full, I/O error): the batch is not committed."""

    code = "journal_unavailable"


class JournalUncertain(JournalUnavailable):
    """An append failed and its bytes could not be taken back: a restart may find the
    record whole and apply it, so its callers cannot be told that nothing was changed."""

    code = "journal_uncertain"

    def __init__(self) -> None:
        super().__init__("error.storage_uncertain")


class JournalDamaged(VouchyError):
    code = "journal_damaged"


class Header(msgspec.Struct, frozen=True, kw_only=True):
    journal: int  # FORMAT
    data_id: str
    first_seq: int
    tables: dict[str, tuple[str, ...]]


class Closed(msgspec.Struct, frozen=True, kw_only=True):
    """Written by a clean close: every batch up to ``closed`` is committed, and the database
    file holds them all (its WAL was checkpointed)."""

    closed: int


class Head(msgspec.Struct, frozen=True, kw_only=True):
    data_id: str
    segment: str  # the newest segment's file name
    first_seq: int


class Segment(NamedTuple):
    first_seq: int
    path: Path


class Damage(NamedTuple):
    """A part of the journal that cannot be used."""

    segment: str
    offset: int  # byte offset of the first unusable byte
    after_seq: int  # the last good batch before it (0: none)
    before_seq: int | None  # the first good batch after it (None: nothing after it)
    problem: str
    tail: bool  # at the very end of the journal: what a crash mid-append leaves

    def describe(self) -> str:
        where = f"{self.segment} at byte {self.offset}"
        if self.before_seq is None:
            span = f"after batch {self.after_seq}"
        else:
            span = f"between batches {self.after_seq} and {self.before_seq}"
        return f"{where} ({span}): {self.problem}"


class Scan(msgspec.Struct, kw_only=True):
    """What the journal holds: its batches' sequence numbers, and everything unusable."""

    data_ids: list[str]
    segments: int
    first_seq: int | None  # the oldest batch still journaled
    last_seq: int  # the newest whole batch (0: none)
    damage: list[Damage]
    legacy: bool  # segments of Vouchy 0.1's journal are present
    head_problem: str | None  # HEAD.json names a segment that is missing, or disagrees
    closed_at: int | None = None  # the journal ends with a clean close after this batch

    @property
    def torn_tail(self) -> Damage | None:
        return self.damage[-1] if self.damage and self.damage[-1].tail else None

    def damage_after(self, seq: int) -> list[Damage]:
        """Damage that may hold batches after ``seq`` (a rebuild from ``seq`` needs them)."""
        return [d for d in self.damage if d.before_seq is None or d.before_seq - 1 > seq]


def _frame(payload: bytes) -> bytes:
    return b"%08x " % zlib.crc32(payload) + payload + b"\n"


def _unframe(line: bytes) -> bytes | None:
    """The payload of a whole, intact line; None when it is cut short or its checksum fails."""
    if len(line) < 10 or line[8:9] != b" ":
        return None
    payload = line[9:]
    try:
        crc = int(line[:8], 16)
    except ValueError:
        return None
    return payload if zlib.crc32(payload) == crc else None


def _seq_of(payload: bytes) -> int | None:
    """A batch record's sequence number, read without decoding the whole batch."""
    if not payload.startswith(b"["):
        return None
    end = payload.find(b",", 1, 32)
    digits = payload[1:end] if end > 0 else b""
    return int(digits) if digits.isdigit() else None


_decode_header = msgspec.json.Decoder(Header).decode
_decode_closed = msgspec.json.Decoder(Closed).decode
_decode_batch = msgspec.json.Decoder(WriteSet).decode
_decode_head = msgspec.json.Decoder(Head).decode


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class _Line(NamedTuple):
    offset: int
    end: int  # the offset after its newline
    payload: bytes | None  # None: unusable
    whole: bool  # ended by a newline


def _lines(data: bytes) -> Iterator[_Line]:
    offset = 0
    while offset < len(data):
        nl = data.find(b"\n", offset)
        if nl < 0:
            yield _Line(offset, len(data), None, False)
            return
        yield _Line(offset, nl + 1, _unframe(data[offset:nl]), True)
        offset = nl + 1


class Journal:
    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._encoder = msgspec.json.Encoder()
        self._fd: int | None = None
        self._size = 0  # bytes of the open segment holding whole records
        self._mark = 0  # the size before the last append: where undo() truncates to
        self._dirty = False  # bytes past _size may be on disk (a failed append or undo)
        self._rotate = False
        self._data_id = ""
        self._next_seq = 1
        self._tables: dict[str, tuple[str, ...]] = {}

    # -- the writer's hooks (its SQLite thread) -------------------------------------------------

    def begin(self, data_id: str, first_seq: int, tables: dict[str, tuple[str, ...]]) -> None:
        """The writer starts: the next append opens a new segment for ``first_seq``."""
        with self._lock:
            self._close_fd()
            self._data_id = data_id
            self._next_seq = first_seq
            self._tables = dict(tables)
            self._rotate = True

    def append(self, ws: WriteSet) -> None:
        """Write ``ws`` as one record and fsync before returning; ``JournalUnavailable`` if not."""
        data = _frame(self._encoder.encode(ws))  # a value that cannot be encoded raises here
        with self._lock:
            # First, before anything can fail: undo() comes back here, never further.
            self._mark = self._size
            try:
                if self._fd is None or self._rotate:
                    self._open(ws.seq)
                elif self._dirty:
                    self._truncate(self._size)  # leftovers of a failed append go first
                self._mark = self._size
                self._dirty = True
                _write_all(self._fd, data)  # type: ignore[arg-type]
                os.fdatasync(self._fd)  # type: ignore[arg-type]
            except OSError as e:
                log.error("journal_append_failed", seq=ws.seq, error=str(e), errno=e.errno)
                if self._fd is not None and self._dirty:
                    try:
                        self._truncate(self._mark)  # take back what reached the file
                    except OSError as undo:
                        log.error(
                            "journal_undo_failed",
                            offset=self._mark,
                            error=str(undo),
                            errno=undo.errno,
                        )
                        raise JournalUncertain() from e
                raise JournalUnavailable() from e
            self._size += len(data)
            self._dirty = False
            self._next_seq = ws.seq + 1

    def undo(self) -> bool:
        """Forget the last append (its batch did not commit). Never raises: the writer calls
        this from its error path. False when the record may still be on disk."""
        with self._lock:
            self._size = self._mark
            if self._fd is None:
                return True
            try:
                self._truncate(self._mark)
            except OSError as e:
                self._dirty = True
                log.error("journal_undo_failed", offset=self._mark, error=str(e), errno=e.errno)
                return False
            return True

    def rotate(self) -> None:
        """Start a new segment at the next append (called when a snapshot is taken)."""
        with self._lock:
            self._rotate = True

    def close(self, committed_seq: int | None = None) -> None:
        """``committed_seq``: the writer closed cleanly with every batch up to it committed
        and checkpointed; a marker records that (see ``Scan.closed_at``)."""
        with self._lock:
            if committed_seq is not None and self._fd is not None and not self._dirty:
                try:
                    _write_all(self._fd, _frame(msgspec.json.encode(Closed(closed=committed_seq))))
                    os.fsync(self._fd)
                except OSError as e:
                    log.warning("journal_close_mark_failed", error=str(e))
            self._close_fd()

    def _close_fd(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self, first_seq: int) -> None:
        """A new segment: its header written and fsynced, then ``HEAD.json`` pointing at it."""
        self._close_fd()
        make_dir(self.directory)
        path = self.directory / f"{first_seq:020d}{SUFFIX}"
        if path.exists():
            self._reclaim(path)
        header = Header(
            journal=FORMAT, data_id=self._data_id, first_seq=first_seq, tables=self._tables
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            _write_all(fd, _frame(msgspec.json.encode(header)))
            os.fsync(fd)
            fsync_dir(self.directory)
            self._write_head(Head(data_id=self._data_id, segment=path.name, first_seq=first_seq))
            self._size = self._mark = os.fstat(fd).st_size
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._rotate = False
        self._dirty = False

    def _reclaim(self, path: Path) -> None:
        """A segment of this name exists (a start that crashed before its first batch was
        whole): it may hold a header and torn bytes, never a whole batch."""
        for line in _lines(path.read_bytes()):
            if line.payload is not None and _seq_of(line.payload) is not None:
                raise JournalDamaged(
                    "journal.segment_in_use", segment=path.name
                )  # recovery should have applied it
        path.unlink()

    def _write_head(self, head: Head) -> None:
        temp = self.directory / f".{HEAD}.tmp"
        write_durably(temp, msgspec.json.encode(head))
        os.replace(temp, self.directory / HEAD)
        fsync_dir(self.directory)

    def _truncate(self, size: int) -> None:
        assert self._fd is not None
        os.ftruncate(self._fd, size)
        os.fsync(self._fd)
        self._dirty = False

    # -- reading ----------------------------------------------------------------------------------

    def segments(self) -> list[Segment]:
        if not self.directory.is_dir():
            return []
        found = []
        for path in self.directory.iterdir():
            if path.suffix == SUFFIX and path.stem.isdigit():
                found.append(Segment(int(path.stem), path))
        return sorted(found)

    def legacy_segments(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(p for p in self.directory.iterdir() if p.suffix == LEGACY_SUFFIX)

    def head(self) -> Head | None:
        try:
            return _decode_head((self.directory / HEAD).read_bytes())
        except FileNotFoundError:
            return None
        except (msgspec.DecodeError, msgspec.ValidationError, OSError):
            return Head(data_id="", segment="(unreadable HEAD.json)", first_seq=-1)

    def scan(self) -> Scan:
        """Read every segment's records (checksums only, batches are not decoded)."""
        segments = self.segments()
        data_ids: list[str] = []
        damage: list[Damage] = []
        first_seq: int | None = None
        last_seq = 0
        pending: list[tuple[str, int, str]] = []  # damage waiting for the next good batch
        closed_at: int | None = None
        for segment in segments:
            data = segment.path.read_bytes()
            lines = list(_lines(data))
            for i, line in enumerate(lines):
                payload = line.payload
                problem = None
                if payload is None:
                    problem = "cut short" if not line.whole else "checksum mismatch"
                elif payload.startswith(b'{"closed"'):
                    try:
                        closed_at = _decode_closed(payload).closed
                    except (msgspec.DecodeError, msgspec.ValidationError) as e:
                        problem = f"unreadable close mark ({e})"
                    else:
                        continue
                elif payload.startswith(b"{"):
                    closed_at = None
                    try:
                        header = _decode_header(payload)
                    except (msgspec.DecodeError, msgspec.ValidationError) as e:
                        problem = f"unreadable header ({e})"
                    else:
                        if header.data_id not in data_ids:
                            data_ids.append(header.data_id)
                        if header.first_seq != segment.first_seq or i:
                            problem = "a header out of place"
                    if problem is None:
                        continue
                else:
                    seq = _seq_of(payload)
                    if seq is None:
                        problem = "not a batch record"
                    elif last_seq and seq != last_seq + 1 and not pending:
                        # (after damage, the damage is what explains the missing batches)
                        problem = f"batch {seq} follows batch {last_seq}: batches are missing"
                        pending.append((segment.path.name, line.offset, problem))
                        problem = None
                if problem is not None:
                    pending.append((segment.path.name, line.offset, problem))
                    continue
                assert payload is not None
                seq = _seq_of(payload)
                assert seq is not None
                closed_at = None
                for name, offset, why in pending:
                    damage.append(Damage(name, offset, last_seq, seq, why, False))
                pending = []
                if first_seq is None:
                    first_seq = seq
                last_seq = seq
        for name, offset, why in pending:
            damage.append(Damage(name, offset, last_seq, None, why, False))
        if damage and damage[-1].before_seq is None:
            # Only the journal's last bytes can be what a crash mid-append leaves.
            last = damage[-1]
            newest = segments[-1].path.name if segments else ""
            tail = last.segment == newest and len([d for d in damage if d.before_seq is None]) == 1
            damage[-1] = last._replace(tail=tail)
        head = self.head()
        head_problem = None
        if head is not None:
            if head.first_seq < 0:
                head_problem = "HEAD.json is unreadable"
            elif not (self.directory / head.segment).exists():
                head_problem = (
                    f"the newest segment {head.segment} (batches from {head.first_seq}) is missing"
                )
            # HEAD naming an older segment that exists is a start that died between making
            # its new segment and pointing HEAD at it: nothing is missing.
            if head.data_id and head.data_id not in data_ids:
                data_ids.append(head.data_id)
        elif segments:
            head_problem = "HEAD.json is missing"
        return Scan(
            data_ids=data_ids,
            segments=len(segments),
            first_seq=first_seq,
            last_seq=last_seq,
            damage=damage,
            legacy=bool(self.legacy_segments()),
            head_problem=head_problem,
            closed_at=closed_at if not pending and closed_at == last_seq else None,
        )

    def batches(self, after: int = 0) -> Iterator[tuple[WriteSet, dict[str, tuple[str, ...]]]]:
        """Every batch past ``after`` in order, with the columns of the segment it is in.

        Raises ``JournalDamaged`` at the first unusable part that may hold one of them (a
        damaged record, a gap): the caller decides whether a torn tail may be left out."""
        expected = after + 1
        segments = self.segments()
        start = max((i for i, s in enumerate(segments) if s.first_seq <= expected), default=0)
        for segment in segments[start:]:
            columns: dict[str, tuple[str, ...]] = {}
            for line in _lines(segment.path.read_bytes()):
                payload = line.payload
                if payload is None:
                    raise JournalDamaged(
                        "journal.damaged",
                        where=f"{segment.path.name} at byte {line.offset}",
                        seq=expected,
                    )
                if payload.startswith(b'{"closed"'):
                    continue
                if payload.startswith(b"{"):
                    columns = dict(_decode_header(payload).tables)
                    continue
                seq = _seq_of(payload)
                if seq is None or seq < expected:
                    continue
                if seq != expected:
                    raise JournalDamaged(
                        "journal.gap", where=segment.path.name, seq=expected, found=seq
                    )
                yield _decode_batch(payload), columns
                expected += 1

    # -- trimming -------------------------------------------------------------------------------

    def cut_after(self, seq: int, set_aside: Path, label: str) -> int:
        """Remove every byte after batch ``seq`` (records past it, torn or damaged lines at
        the end) from the segments holding them; the bytes go to ``set_aside/<label>.log``,
        never destroyed. A segment left with only its header and no batch up to ``seq`` is
        removed. Returns the number of lines removed."""
        removed = 0
        cut: list[bytes] = []
        for segment in reversed(self.segments()):
            data = segment.path.read_bytes()
            keep = 0  # the end of the last line to keep: a header, or a batch up to ``seq``
            holds_batch = False
            for line in _lines(data):
                if line.payload is None or line.payload.startswith(b'{"closed"'):
                    continue
                s = _seq_of(line.payload)
                if s is None or s <= seq:
                    keep = line.end
                    holds_batch = holds_batch or s is not None
            if keep < len(data):
                removed += sum(1 for ln in _lines(data) if ln.offset >= keep)
                cut.insert(0, data[keep:])
                with open(segment.path, "r+b") as f:
                    f.truncate(keep)
                    f.flush()
                    os.fsync(f.fileno())
            if holds_batch:
                break  # every earlier segment holds only batches up to ``seq``
            if segment.first_seq > seq:
                segment.path.unlink()
        if cut:
            make_dir(set_aside)
            write_durably(set_aside / f"{label}{SUFFIX}", b"".join(cut), append=True)
            fsync_dir(set_aside)
        if self.directory.is_dir():
            fsync_dir(self.directory)
            self._repoint_head()
        return removed

    def _repoint_head(self) -> None:
        """``HEAD.json`` names the newest segment that is left (after a cut removed one)."""
        head = self.head()
        segments = self.segments()
        if head is None or (self.directory / head.segment).exists():
            return
        if not segments:  # nothing left: the next segment made writes a new HEAD
            (self.directory / HEAD).unlink()
            return
        newest = segments[-1]
        first = next(iter(records_of(newest.path)), None)
        data_id = first.data_id if isinstance(first, Header) else head.data_id
        self._write_head(
            Head(data_id=data_id, segment=newest.path.name, first_seq=newest.first_seq)
        )

    def prune(self, covered_up_to: int) -> list[Path]:
        """Delete the segments whose every batch is at most ``covered_up_to`` (the sequence
        number of a verified snapshot). The newest segment is never deleted."""
        with self._lock:
            removed = []
            segments = self.segments()
            for segment, following in zip(segments, segments[1:], strict=False):
                if following.first_seq - 1 > covered_up_to:
                    break
                segment.path.unlink(missing_ok=True)
                removed.append(segment.path)
            if removed:
                fsync_dir(self.directory)
                log.info("journal_pruned", segments=len(removed), covered_up_to=covered_up_to)
            return removed

    def size_bytes(self) -> int:
        return sum(s.path.stat().st_size for s in self.segments())


def records_of(path: Path) -> list[Any]:
    """A segment's readable records, decoded (for tools and tests)."""
    found: list[Any] = []
    for line in _lines(path.read_bytes()):
        if line.payload is None:
            continue
        if line.payload.startswith(b'{"closed"'):
            found.append(_decode_closed(line.payload))
        elif line.payload.startswith(b"{"):
            found.append(_decode_header(line.payload))
        else:
            found.append(_decode_batch(line.payload))
    return found


def frame(payload: bytes) -> bytes:
    """A record line for ``payload`` (for tests that write journals by hand)."""
    return _frame(payload)
