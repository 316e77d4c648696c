"""Bulk import of balances carried over from another bot: one transaction on the writer's
connection, for files of 100,000 members that would take seconds through the group-commit path.

It keeps what the writer keeps: one ``import`` ledger row per balance it changes and
``balance == sum of ledger deltas`` (invariant 2); a reference already in the ledger changes
nothing (invariant 4); the rows are appended to the journal and fsynced inside the
transaction, and the append undone if the COMMIT does not happen (invariant 7); the writer's
account cache forgets the accounts it touched, and its listeners hear the receipts after the
COMMIT. It must run while nothing else submits to the writer: the command line holds the
data-directory lock, so the bot cannot run beside it.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence

import msgspec

from vouchy.core.errors import VouchyError
from vouchy.core.logs import get_logger
from vouchy.store.ops import Receipt
from vouchy.store.writer import BatchJournal, LedgerRow, Writer

log = get_logger("vouchy.import")

IMPORT_PREFIX = "import:"

# Every import reference of a guild, through the (guild_id, reference) unique index.
_SELECT_IMPORTS = """
SELECT reference FROM ledger
WHERE guild_id = ? AND reference >= 'import:' AND reference < 'import;'
"""
_SELECT_ACCOUNTS = """
SELECT a.user_id, a.balance, a.lifetime_earned
FROM json_each(?) AS k CROSS JOIN accounts AS a ON a.guild_id = ? AND a.user_id = k.value
"""
_INSERT_ACCOUNT = """
INSERT INTO accounts (guild_id, user_id, balance, lifetime_earned, lifetime_spent, created_at,
                      updated_at)
VALUES (?, ?, ?, ?, 0, ?, ?)
"""
_UPDATE_ACCOUNT = """
UPDATE accounts SET balance = ?, lifetime_earned = ?, updated_at = ?
WHERE guild_id = ? AND user_id = ?
"""
_INSERT_LEDGER = "INSERT INTO ledger VALUES (?, ?, ?, ?, ?, 'import', ?, ?, ?, ?)"


class ImportConflict(VouchyError):
    """Members of this file already received points from another file: nothing was written."""

    code = "import_conflict"


class BulkResult(msgspec.Struct, kw_only=True):
    guild_id: int
    file_tag: str  # the sha256 prefix in this import's references
    members: int  # balances in the file
    opened: int  # accounts opened with the imported balance
    added: int  # existing accounts the imported points were added to
    already_imported: int  # this file's reference already in the ledger: nothing changed
    unchanged: int  # existing accounts with 0 points to add: nothing to write
    points: int  # the sum of the deltas written
    ledger_rows: int
    first_ledger_id: int | None
    last_ledger_id: int | None
    seconds: float = 0.0


def _tag_and_user(reference: str) -> tuple[str, int] | None:
    tag, _, user = reference[len(IMPORT_PREFIX) :].partition(":")
    return (tag, int(user)) if tag and user.isdigit() else None


def _import(
    conn: sqlite3.Connection,
    guild_id: int,
    tag: str,
    balances: Sequence[tuple[int, int]],
    reason: str,
    acting_user_id: int | None,
    merge: bool,
    journal: BatchJournal | None,
) -> tuple[BulkResult, list[LedgerRow]]:
    """On the write connection's thread: check, write, journal, COMMIT, all or nothing."""
    now = int(time.time() * 1000)
    conn.execute("BEGIN IMMEDIATE")
    journaled = False
    try:
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
            u: (balance, earned)
            for u, balance, earned in conn.execute(
                _SELECT_ACCOUNTS, (json.dumps([u for u, _ in todo]), guild_id)
            )
        }
        next_id = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM ledger").fetchone()[0]
        first_id = next_id
        inserts, updates, rows = [], [], []
        unchanged = points_total = 0
        for user, points in todo:
            account = accounts.get(user)
            reference = f"{IMPORT_PREFIX}{tag}:{user}"
            if account is None:
                # A member new to Vouchy opens with the balance they had: no starting gift
                # on top of it (the older bot gave theirs already).
                inserts.append((guild_id, user, points, points, now, now))
                balance = points
            elif points == 0:
                unchanged += 1
                continue
            else:
                balance = account[0] + points
                updates.append((balance, account[1] + points, now, guild_id, user))
            rows.append(
                (next_id, guild_id, user, points, balance, reference, reason, acting_user_id, now)
            )
            points_total += points
            next_id += 1
        if inserts:
            conn.executemany(_INSERT_ACCOUNT, inserts)
        if updates:
            conn.executemany(_UPDATE_ACCOUNT, updates)
        if rows:
            conn.executemany(_INSERT_LEDGER, rows)
        ledger = [
            (i, g, u, d, b, "import", ref, why, by, at) for i, g, u, d, b, ref, why, by, at in rows
        ]
        if journal is not None and ledger:
            journaled = True
            journal.append(ledger)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if journaled and journal is not None:
            journal.undo()
        raise
    result = BulkResult(
        guild_id=guild_id,
        file_tag=tag,
        members=len(balances),
        opened=len(inserts),
        added=len(updates),
        already_imported=len(balances) - len(todo),
        unchanged=unchanged,
        points=points_total,
        ledger_rows=len(ledger),
        first_ledger_id=first_id if ledger else None,
        last_ledger_id=next_id - 1 if ledger else None,
    )
    return result, ledger


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
    with references ``import:<file_tag>:<user>``, all in one transaction.

    A member without an account opens it with exactly the imported points; a member who
    already has one gets the points added. Members whose reference is already in the ledger
    (the same file imported before) are left as they are. Members who received points from a
    different file are refused as a whole (``ImportConflict``) unless ``merge``.
    """
    started = time.perf_counter()
    # In queue order, with no batch planned or in flight; the writer then drops its account
    # cache and reads the last ledger id again, so the operations after it see the import.
    result, ledger = await writer.exclusive(  # type: ignore[misc]
        _import,
        guild_id,
        file_tag,
        list(balances),
        reason[:200],
        acting_user_id,
        merge,
        writer.journal,
    )
    if ledger:
        receipts = [
            Receipt(
                reference=ref,
                guild_id=g,
                user_id=u,
                ledger_id=i,
                kind=kind,
                delta=d,
                balance=b,
                created_at=at,
            )
            for i, g, u, d, b, kind, ref, _why, _by, at in ledger
        ]
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
