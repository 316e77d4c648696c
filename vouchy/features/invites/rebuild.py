"""Reading joins back from a file, for ``python -m vouchy invites rebuild [FILE]``.

Two formats are read: Vouchy's own ``invite_joins.jsonl`` (``logs.LogLine``, one per line) and
the seed bot's ``invite_joins.json`` records (``timestamp, user_id, username, display_name,
invite_code, staff_id, staff_username, uses_before, uses_after, guild_id, guild_name``), as a
JSON array, JSON lines, or objects written one after another. A file is validated whole
before anything is returned: one bad record refuses the file, naming the record and its line.
Every join carries its ``join_id``, the idempotency reference to insert it under, so a
second rebuild of the same file (or of Vouchy's log of the imported joins) adds nothing.
A torn last line of a JSONL log (a crash mid-write) is skipped and reported, not refused.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Literal

import msgspec

from vouchy.core.errors import InvalidInput
from vouchy.features.invites import texts  # noqa: F401  (registers the texts)
from vouchy.features.invites.logs import LogLine, record_from_line
from vouchy.features.invites.records import (
    MAX_SNOWFLAKE,
    HowParams,
    JoinRecord,
    join_reference,
    parse_iso,
    snowflake_time_ms,
)

Format = Literal["vouchy_jsonl", "seed_json"]

# What the seed bot wrote when it could not tell the invite.
_SEED_NO_CODE = frozenset({"", "unknown", "none", "null", "n/a"})


class SeedRecord(msgspec.Struct, kw_only=True):
    """One record of the seed bot's ``invite_joins.json`` (ids were written as strings)."""

    timestamp: str
    user_id: str | int
    username: str
    display_name: str | None = None
    invite_code: str | None = None
    staff_id: str | int | None = None
    staff_username: str | None = None
    uses_before: int | None = None
    uses_after: int | None = None
    guild_id: str | int
    guild_name: str | None = None


class RebuildFile(msgspec.Struct, frozen=True, kw_only=True):
    """A file read whole: its joins in file order, each once."""

    name: str
    format: Format
    joins: tuple[JoinRecord, ...]
    duplicates_skipped: int = 0  # the same join written twice in the file
    torn_tail_skipped: bool = False


class RebuildPlan(msgspec.Struct, frozen=True, kw_only=True):
    """What a rebuild would add: the joins whose reference the database does not hold."""

    new: tuple[JoinRecord, ...]
    already_recorded: int


def read_file(path: Path, *, naive_offset_minutes: int = 0) -> RebuildFile:
    """Read ``path`` in whichever format it is (see ``detect_format``)."""
    return read_bytes(path.read_bytes(), name=path.name, naive_offset_minutes=naive_offset_minutes)


def read_bytes(data: bytes, *, name: str, naive_offset_minutes: int = 0) -> RebuildFile:
    text = _text(data, name)
    if detect_format(text) == "vouchy_jsonl":
        return read_join_log(text, name=name)
    return read_seed_joins(text, name=name, naive_offset_minutes=naive_offset_minutes)


def detect_format(text: str) -> Format:
    """Vouchy's log when its first record has a ``join_id``, else the seed bot's records."""
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("["):
        return "seed_json"
    first = body.split("\n", 1)[0]
    try:
        head = json.loads(first)
    except ValueError:
        return "seed_json"  # a record spread over several lines: only the seed wrote those
    return "vouchy_jsonl" if isinstance(head, dict) and "join_id" in head else "seed_json"


def read_join_log(text: str, *, name: str) -> RebuildFile:
    """Vouchy's ``invite_joins.jsonl``: every complete line a valid join."""
    # Invariant: nothing is returned unless every complete line is a valid join.
    lines = text.split("\n")
    torn = False
    if lines and lines[-1].strip():
        torn = not _parses(lines[-1])
        if torn:
            lines = lines[:-1]
    joins: list[tuple[int, JoinRecord]] = []
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            line = msgspec.json.decode(raw.lstrip("\ufeff"), type=LogLine, strict=True)
            record = _checked(record_from_line(line))
        except (msgspec.DecodeError, ValueError) as e:
            raise _bad(name, len(joins) + 1, number, e) from None
        joins.append((number, record))
    unique, duplicates = _unique(joins, name)
    return RebuildFile(
        name=name,
        format="vouchy_jsonl",
        joins=unique,
        duplicates_skipped=duplicates,
        torn_tail_skipped=torn,
    )


def read_seed_joins(text: str, *, name: str, naive_offset_minutes: int = 0) -> RebuildFile:
    """The seed bot's records, as an array, JSON lines or objects one after another.

    Its times have no zone: they are read as UTC shifted by ``naive_offset_minutes``. It
    recorded no inviter, so ``inviter_id`` stays empty (the staff member is kept); a record
    with a code is attributed ``code``, told as read from that log; one without, ``unknown``.
    """
    joins: list[tuple[int, JoinRecord]] = []
    for index, (line, value) in enumerate(_json_values(text, name), start=1):
        try:
            seed = msgspec.convert(value, type=SeedRecord, strict=True)
            record = _checked(_from_seed(seed, naive_offset_minutes))
        except (msgspec.ValidationError, ValueError) as e:
            raise _bad(name, index, line, e) from None
        joins.append((line, record))
    unique, duplicates = _unique(joins, name)
    return RebuildFile(name=name, format="seed_json", joins=unique, duplicates_skipped=duplicates)


def plan_rebuild(joins: Sequence[JoinRecord], recorded_ids: Collection[str]) -> RebuildPlan:
    """The joins to insert: those whose ``join_id`` is not recorded yet. Insert each under
    its ``join_id`` as the reference, so even a plan made twice applies once."""
    new = tuple(j for j in joins if j.join_id not in recorded_ids)
    return RebuildPlan(new=new, already_recorded=len(joins) - len(new))


def _from_seed(seed: SeedRecord, naive_offset_minutes: int) -> JoinRecord:
    guild_id = _snowflake(seed.guild_id, "guild_id")
    member_id = _snowflake(seed.user_id, "user_id")
    staff_id = (
        None
        if seed.staff_id is None or seed.staff_id == ""
        else _snowflake(seed.staff_id, "staff_id")
    )
    try:
        joined = parse_iso(seed.timestamp, naive_offset_minutes)
    except ValueError:
        raise ValueError(f"timestamp {seed.timestamp!r} is not an ISO 8601 time") from None
    code = (seed.invite_code or "").strip()
    known = code.lower() not in _SEED_NO_CODE
    params: HowParams = {}
    how = "invites.how.seed_log_unknown"
    if known and seed.uses_before is not None and seed.uses_after is not None:
        how = "invites.how.seed_log_uses"
        params = {"code": code, "before": seed.uses_before, "after": seed.uses_after}
    elif known:
        how, params = "invites.how.seed_log", {"code": code}
    return JoinRecord(
        join_id=join_reference(guild_id, member_id, joined),
        guild_id=guild_id,
        member_id=member_id,
        member_name=seed.username,
        display_name=seed.display_name,
        joined_at_ms=joined,
        account_created_ms=snowflake_time_ms(member_id),
        cause="code" if known else "unknown",
        code=code if known else None,
        staff_id=staff_id,
        staff_name=seed.staff_username,
        uses_before=seed.uses_before,
        uses_after=seed.uses_after,
        how=how,
        how_params=params,
    )


def _checked(record: JoinRecord) -> JoinRecord:
    """The checks msgspec's types do not make."""
    for field in ("guild_id", "member_id", "inviter_id", "staff_id"):
        value = getattr(record, field)
        if value is not None and not 0 < value <= MAX_SNOWFLAKE:
            raise ValueError(f"{field} {value} is not a Discord id")
    for field in ("uses_before", "uses_after"):
        value = getattr(record, field)
        if value is not None and value < 0:
            raise ValueError(f"{field} is negative")
    if not record.join_id:
        raise ValueError("join_id is empty")
    if record.cause in ("code", "vanished", "vanity") and not record.code:
        raise ValueError(f"cause {record.cause} without a code")
    return record


def _snowflake(value: str | int, field: str) -> int:
    if isinstance(value, str):
        if not value.strip().isdigit():
            raise ValueError(f"{field} {value!r} is not a Discord id")
        value = int(value.strip())
    if not 0 < value <= MAX_SNOWFLAKE:
        raise ValueError(f"{field} {value} is not a Discord id")
    return value


def _unique(joins: list[tuple[int, JoinRecord]], name: str) -> tuple[tuple[JoinRecord, ...], int]:
    """Each join once; the same join id with different contents refuses the file."""
    first: dict[str, tuple[int, JoinRecord]] = {}
    duplicates = 0
    for line, record in joins:
        seen = first.get(record.join_id)
        if seen is None:
            first[record.join_id] = (line, record)
        elif seen[1] == record:
            duplicates += 1
        else:
            raise InvalidInput(
                "invites.rebuild_conflict",
                file=name,
                join_id=record.join_id,
                first=seen[0],
                line=line,
            )
    return tuple(record for _, record in first.values()), duplicates


def _json_values(text: str, name: str) -> list[tuple[int, object]]:
    """Each top-level record and the line it starts on: an array's items, or the values
    of a stream (JSON lines, or pretty-printed objects one after another)."""
    body = text.lstrip("\ufeff")
    decoder = json.JSONDecoder()
    values: list[tuple[int, object]] = []
    pos = _skip_space(body, 0)
    in_array = body.startswith("[", pos)
    if in_array:
        pos = _skip_space(body, pos + 1)
        if body.startswith("]", pos):
            return _only_space_after(body, pos + 1, name, values)
    while pos < len(body):
        line = body.count("\n", 0, pos) + 1
        try:
            value, end = decoder.raw_decode(body, pos)
        except json.JSONDecodeError as e:
            raise _bad(name, len(values) + 1, line, e) from None
        values.append((line, value))
        pos = _skip_space(body, end)
        if in_array:
            if body.startswith("]", pos):
                return _only_space_after(body, pos + 1, name, values)
            if not body.startswith(",", pos):
                raise _bad(name, len(values), line, ValueError("expected ',' or ']' after it"))
            pos = _skip_space(body, pos + 1)
    if in_array:
        raise _bad(name, None, body.count("\n") + 1, ValueError("the array is not closed"))
    return values


def _only_space_after(
    body: str, pos: int, name: str, values: list[tuple[int, object]]
) -> list[tuple[int, object]]:
    end = _skip_space(body, pos)
    if end < len(body):
        line = body.count("\n", 0, end) + 1
        raise _bad(name, None, line, ValueError("text after the array"))
    return values


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _parses(raw: str) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return False
    return True


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidInput("invites.rebuild_not_utf8", file=name, offset=e.start) from None


def _bad(name: str, record: int | None, line: int | None, error: Exception) -> InvalidInput:
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    if record is None:
        return InvalidInput("invites.rebuild_bad_file", file=name, line=line or 1, reason=reason)
    return InvalidInput(
        "invites.rebuild_bad_record", file=name, record=record, line=line or 0, reason=reason
    )
