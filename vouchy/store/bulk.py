"""Bulk import of balances carried over from another bot: one transaction on the writer's
connection, for files of 100,000 members that would take seconds through the group-commit path.

It keeps what the writer keeps, because the writer commits it: one ``import`` ledger row per
balance it changes and ``balance == sum of ledger deltas`` (invariant 2); a reference already
recorded changes nothing (invariant 4); the whole import is one batch, one journal record,
replayed whole or not at all (invariant 7); the writer's caches are dropped afterwards and its
listeners hear the receipts after the COMMIT.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from typing import Any

import msgspec

from vouchy.core.errors import VouchyError
from vouchy.core.logs import get_logger
from vouchy.store.operations import MoveResult, Receipt
from vouchy.store.writer import ExclusiveContext, Writer
from vouchy.store.writeset import LedgerRow, OpRow, WriteSet

log = get_logger("vouchy.import")

IMPORT_PREFIX = "import:"
OP_NAME = "import.balance"

# Every import reference of a guild, through the operations' (guild_id, reference) key.
_SELECT_IMPORTS = """
SELECT reference FROM operations
WHERE guild_id = ? AND reference >= 'import:' AND reference < 'import;'
"""
_SELECT_ACCOUNTS = """
SELECT a.user_id, a.balance, a.lifetime_earned, a.lifetime_spent, a.created_at
FROM json_each(?) AS k CROSS JOIN accounts AS a ON a.guild_id = ? AND a.user_id = k.value
"""


class ImportConflict(VouchyError):
    """Members of this file already received points from another file: nothing was written."""

    code = "import_conflict"


class BulkResult(msgspec.Struct, kw_only=True):
    guild_id: int
    file_tag: str  # the sha256 prefix in this import's references
    members: int  # balances in the file
    opened: int  # accounts opened with the imported balance
    added: int  # existing accounts the imported points were added to
    already_imported: int  # this file's reference already recorded: nothing changed
    unchanged: int  # existing accounts with 0 points to add: nothing to write
    points: int  # the sum of the deltas written
    ledger_rows: int
    first_ledger_id: int | None
    last_ledger_id: int | None
    seconds: float = 0.0


def _tag_and_user(reference: str) -> tuple[str, int] | None:
    tag, _, user = reference[len(IMPORT_PREFIX) :].partition(":")
    return (tag, int(user)) if tag and user.isdigit() else None


def _build(
    conn: sqlite3.Connection,
    ctx: ExclusiveContext,
    guild_id: int,
    tag: str,
    balances: Sequence[tuple[int, int]],
    reason: str,
    acting_user_id: int | None,
    merge: bool,
) -> tuple[WriteSet | None, tuple[BulkResult, list[Receipt]]]:
    """Inside the writer's transaction: check and build the import's write set, all or
    nothing (the writer applies, journals and commits it like any batch)."""
    now = ctx.now
    done: set[int] = set()
    earlier: dict[int, str] = {}  # user -> the tag of another file that imported them
    for (reference,) in conn.execute(_SELECT_IMPORTS, (guild_id,)):
        parsed = _tag_and_user(reference)
        if parsed is None:
            continue
        if parsed[0] == tag:
            done.add(parsed[1])
        else:
            earlier.setdefault(parsed[1], parsed[0])
    todo = [(u, p) for u, p in balances if u not in done]
    conflicts = [u for u, _ in todo if u in earlier]
    if conflicts and not merge:
        tags = sorted({earlier[u] for u in conflicts})
        raise ImportConflict(
            f"{len(conflicts)} members of this file already received points from an earlier "
            f"import (file {', '.join(tags)}; e.g. user {conflicts[0]}): importing this file "
            "too would add their points a second time (is it a backup copy of the same "
            "bot's file?). If it holds points from a different bot, pass --merge to add "
            "them; nothing was imported"
        )
    accounts = {
        u: (balance, earned, spent, created)
        for u, balance, earned, spent, created in conn.execute(
            _SELECT_ACCOUNTS, (json.dumps([u for u, _ in todo]), guild_id)
        )
    }
    next_id = first_id = ctx.next_ledger_id
    puts: list[tuple[Any, ...]] = []
    ledger: list[LedgerRow] = []
    oprows: list[OpRow] = []
    receipts: list[Receipt] = []
    opened = added = unchanged = points_total = 0
    for user, points in todo:
        account = accounts.get(user)
        reference = f"{IMPORT_PREFIX}{tag}:{user}"
        if account is None:
            # A member new to Vouchy opens with the balance they had: no starting gift
            # on top of it (the older bot gave theirs already).
            balance = points
            puts.append((guild_id, user, points, points, 0, now, now))
            opened += 1
        elif points == 0:
            unchanged += 1
            continue
        else:
            balance = account[0] + points
            puts.append((guild_id, user, balance, account[1] + points, account[2], account[3], now))
            added += 1
        ledger.append(
            (
                next_id,
                guild_id,
                user,
                points,
                balance,
                "import",
                reference,
                reason,
                acting_user_id,
                now,
            )
        )
        receipt = Receipt(
            reference=reference,
            guild_id=guild_id,
            user_id=user,
            seq=ctx.seq,
            created_at=now,
            moves=[MoveResult(next_id, user, points, balance, "import")],
        )
        receipts.append(receipt)
        oprows.append(
            OpRow(
                guild_id,
                reference,
                ctx.seq,
                user,
                OP_NAME,
                "",
                "ok",
                msgspec.Raw(msgspec.json.encode(receipt)),
                now,
            )
        )
        points_total += points
        next_id += 1
    result = BulkResult(
        guild_id=guild_id,
        file_tag=tag,
        members=len(balances),
        opened=opened,
        added=added,
        already_imported=len(balances) - len(todo),
        unchanged=unchanged,
        points=points_total,
        ledger_rows=len(ledger),
        first_ledger_id=first_id if ledger else None,
        last_ledger_id=next_id - 1 if ledger else None,
    )
    if not ledger:
        return None, (result, receipts)
    ws = WriteSet(ctx.seq, now, ledger, [], oprows, {"accounts": puts}, {})
    return ws, (result, receipts)


async def import_balances(
    writer: Writer,
    guild_id: int,
    file_tag: str,
    balances: Sequence[tuple[int, int]],
    *,
    reason: str = "imported",
    acting_user_id: int | None = None,
    merge: bool = False,
) -> BulkResult:
    """Write ``balances`` ((user id, points), validated, each user once) as ``import`` rows
    with references ``import:<file_tag>:<user>``, all in one batch.

    A member without an account opens it with exactly the imported points; a member who
    already has one gets the points added. Members whose reference is already recorded (the
    same file imported before) are left as they are. Members who received points from a
    different file are refused as a whole (``ImportConflict``) unless ``merge``.
    """
    started = time.perf_counter()
    done: tuple[BulkResult, list[Receipt]] = await writer.exclusive(
        lambda conn, ctx: _build(
            conn, ctx, guild_id, file_tag, list(balances), reason[:200], acting_user_id, merge
        )
    )
    result, receipts = done
    if receipts:
        for listener in writer.listeners:
            listener(receipts)
    result.seconds = round(time.perf_counter() - started, 3)
    log.info(
        "import_committed",
        guild_id=guild_id,
        file_tag=file_tag,
        members=result.members,
        opened=result.opened,
        added=result.added,
        already_imported=result.already_imported,
        points=result.points,
        ledger_rows=result.ledger_rows,
        last_ledger_id=result.last_ledger_id,
        seconds=result.seconds,
    )
    return result


class UndoResult(msgspec.Struct, kw_only=True):
    guild_id: int
    file_tag: str
    members: int  # members the import gave points to
    taken_back: int  # members whose imported points were taken back (wholly or partly)
    points: int  # points taken back
    short: dict[int, int]  # member -> imported points they had already spent (not taken back)
    already_undone: int
    seconds: float = 0.0


UNDO_PREFIX = "import-undo:"


def _build_undo(
    conn: sqlite3.Connection, ctx: ExclusiveContext, guild_id: int, tag: str, acting: int | None
) -> tuple[WriteSet | None, UndoResult]:
    """Each member's imported points back out, as ``import_undo`` rows; a member who spent
    some keeps a balance of zero rather than a negative one (what was spent stays spent)."""
    now = ctx.now
    imported: dict[int, int] = {}
    undone: set[int] = set()
    for reference, result in conn.execute(
        "SELECT reference, result FROM operations WHERE guild_id = ? AND reference >= ? AND reference < ?",
        (guild_id, f"{IMPORT_PREFIX}{tag}:", f"{IMPORT_PREFIX}{tag};"),
    ):
        user = int(reference.rsplit(":", 1)[1])
        imported[user] = sum(m[2] for m in msgspec.json.decode(result).get("moves", []))
    for (reference,) in conn.execute(
        "SELECT reference FROM operations WHERE guild_id = ? AND reference >= ? AND reference < ?",
        (guild_id, f"{UNDO_PREFIX}{tag}:", f"{UNDO_PREFIX}{tag};"),
    ):
        undone.add(int(reference.rsplit(":", 1)[1]))
    todo = sorted(u for u in imported if u not in undone)
    accounts = {
        u: (balance, earned, spent, created)
        for u, balance, earned, spent, created in conn.execute(
            _SELECT_ACCOUNTS, (json.dumps(todo), guild_id)
        )
    }
    next_id = ctx.next_ledger_id
    puts: list[tuple[Any, ...]] = []
    ledger: list[LedgerRow] = []
    oprows: list[OpRow] = []
    short: dict[int, int] = {}
    points = taken = 0
    for user in todo:
        balance, earned, spent, created = accounts.get(user, (0, 0, 0, now))
        take = min(imported[user], balance)
        if take < imported[user]:
            short[user] = imported[user] - take
        reference = f"{UNDO_PREFIX}{tag}:{user}"
        moves: list[MoveResult] = []
        if take:
            ledger.append(
                (
                    next_id,
                    guild_id,
                    user,
                    -take,
                    balance - take,
                    "import_undo",
                    reference,
                    f"undo of import {tag}",
                    acting,
                    now,
                )
            )
            puts.append((guild_id, user, balance - take, earned, spent, created, now))
            moves.append(MoveResult(next_id, user, -take, balance - take, "import_undo"))
            next_id += 1
            points += take
            taken += 1
        receipt = Receipt(
            reference=reference,
            guild_id=guild_id,
            user_id=user,
            seq=ctx.seq,
            created_at=now,
            moves=moves,
            data={"short": imported[user] - take},
        )
        oprows.append(
            OpRow(
                guild_id,
                reference,
                ctx.seq,
                user,
                "import.undo",
                "",
                "ok",
                msgspec.Raw(msgspec.json.encode(receipt)),
                now,
            )
        )
    result = UndoResult(
        guild_id=guild_id,
        file_tag=tag,
        members=len(imported),
        taken_back=taken,
        points=points,
        short=short,
        already_undone=len(undone),
    )
    if not oprows:
        return None, result
    return WriteSet(
        ctx.seq, now, ledger, [], oprows, {"accounts": puts} if puts else {}, {}
    ), result


async def undo_import(
    writer: Writer, guild_id: int, file_tag: str, *, acting_user_id: int | None = None
) -> UndoResult:
    """Take an import's points back out, ledgered (``import_undo`` rows, references
    ``import-undo:<file_tag>:<user>``): the true way to undo one. A plain restore of a snapshot
    taken before it does not: the journal replays the import. Running it twice changes nothing
    the second time."""
    started = time.perf_counter()
    result: UndoResult = await writer.exclusive(
        lambda conn, ctx: _build_undo(conn, ctx, guild_id, file_tag, acting_user_id)
    )
    result.seconds = round(time.perf_counter() - started, 3)
    log.warning(
        "import_undone",
        guild_id=guild_id,
        file_tag=file_tag,
        members=result.members,
        taken_back=result.taken_back,
        points=result.points,
        short=len(result.short),
        already_undone=result.already_undone,
    )
    return result
